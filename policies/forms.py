"""Admin forms: policy settings as plain fields (not raw JSON), the engine preview, waiving a fee."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from appointments.models import Appointment
from org import access
from org.models import Branch, Service, Staff
from policies.models import PolicyConfiguration, company_currency
from policies.rules import FeeKind, PolicySettingsError, PolicyType, parse_policy_settings
from policies.rules.validation import (
    EMPTY_TIERS,
    TIER_MAX_NOT_ABOVE_MIN,
    TIERS_FEE_RISES,
    TIERS_MUST_BE_OPEN_ENDED,
    TIERS_OPEN_END_NOT_LAST,
)

TIER_ROWS = 5
NOT_AN_AMOUNT_IN_WORDS = _("“%(value)s” is not an amount: write it like “10,50 €”.")
NOT_HOURS_IN_WORDS = _("“%(value)s” is not a number of hours: write it like “24” or “1,5”.")
TIER_ROW_INCOMPLETE = _("Give at least “from” and the amount (leave “to” empty for the longest notice).")
TIERS_PROBLEM = _("The tiers %(problem)s.")
# Messages of policies.rules that name a settings key, said in the words of the tier rows instead.
TIER_WORDS = {
    EMPTY_TIERS: _("Enter at least one tier."),
    TIERS_OPEN_END_NOT_LAST: _("Only the tier with the longest notice may leave “to” empty."),
    TIERS_MUST_BE_OPEN_ENDED: _(
        "The tier with the longest notice needs an empty “to” (for any longer notice)."
    ),
    TIER_MAX_NOT_ABOVE_MIN: _("“to” must be more than “from”."),
}
PREVIEW_NEEDS_TARGET = _("Pick an appointment, or give a start time, a branch and a service.")
QUOTA_KEYS = {
    PolicyType.CANCELLATION: "max_cancellations_per_month",
    PolicyType.RESCHEDULE: "max_reschedules_per_appointment",
}
# Where each settings path's errors are shown (anything under fee.tiers goes to the tiers box).
ERROR_FIELDS = {
    "hours_before": "hours_before",
    "max_cancellations_per_month": "limit",
    "max_reschedules_per_appointment": "limit",
    "fee": "fee_kind",
    "fee.kind": "fee_kind",
    "fee.amount": "fee_amount",
    "fee.currency": "fee_currency",
    "fee.percentage": "fee_percentage",
    "fee.max_amount": "fee_max_amount",
}


def _decimal_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, help_text=help_text, required=False, widget=UnfoldAdminDecimalFieldWidget
    )


def german_number(text: str) -> Decimal | None:
    """ "10,50 €", "1.234,50", "10.5", "EUR 12" → a Decimal; None when it is not a number."""
    cleaned = re.sub(r"(?i)\s|€|eur", "", text or "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class MoneyField(forms.CharField):
    """An amount as people write it in Germany ("10,50 €"); cleans to a Decimal (None when empty)."""

    widget = UnfoldAdminTextInputWidget

    def __init__(self, *, invalid: Any = NOT_AN_AMOUNT_IN_WORDS, **kwargs: Any) -> None:
        self.invalid = invalid
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        number = german_number(text)
        if number is None:
            raise forms.ValidationError(self.invalid, params={"value": text})
        return number

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int | float | Decimal) or (
            isinstance(value, str) and german_number(value) is not None
        ):
            return _german(Decimal(str(value)))
        return value


def _german(number: Decimal) -> str:
    text = f"{number:f}"
    return text.replace(".", ",")


def _hours_field(label: Any) -> MoneyField:
    return MoneyField(label=label, invalid=NOT_HOURS_IN_WORDS)


class PolicyForm(forms.ModelForm):
    """Edits ``PolicyConfiguration.settings`` through typed fields; the rules module validates the result."""

    hours_before = _decimal_field(
        _("minimum notice (hours)"),
        _("Changes closer to the appointment than this are refused. Empty: any time (or inherited)."),
    )
    limit = forms.IntegerField(
        label=_("limit"),
        required=False,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text=_(
            "Cancellation policy: cancellations per customer in any 30 days. Reschedule policy: moves per "
            "appointment. Empty: unlimited (or inherited, for a policy that overrides another)."
        ),
    )
    fee_kind = forms.ChoiceField(
        label=_("fee"),
        required=False,
        choices=[
            ("", _("no fee (or inherited)")),
            (FeeKind.FIXED.value, _("fixed amount")),
            (FeeKind.TIERED.value, _("tiered by notice")),
            (FeeKind.PERCENTAGE.value, _("percentage of the price")),
        ],
        widget=UnfoldAdminSelectWidget,
    )
    fee_amount = MoneyField(label=_("fixed fee"))
    fee_currency = forms.CharField(
        label=_("currency"),
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("For fixed and tiered fees; empty: the company's currency."),
    )
    fee_percentage = _decimal_field(_("percentage of the price"))
    fee_max_amount = MoneyField(
        label=_("maximum fee"), help_text=_("For a percentage fee; empty: no maximum.")
    )

    class Meta:
        model = PolicyConfiguration
        fields = ["policy_type", "target_type", "branch", "service", "staff", "overrides"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "overrides" in self.fields:
            self.fields["overrides"].queryset = PolicyConfiguration.objects.live().select_related(
                "branch", "service", "staff"
            )
        if self.instance.pk and not self.is_bound:
            self.initial.update(
                initial_from_settings(self.instance.policy_type, self.instance.settings or {})
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self._errors or not cleaned.get("policy_type"):
            return cleaned
        settings = self._settings_from(cleaned)
        if settings is None:
            return cleaned
        try:
            parse_policy_settings(cleaned["policy_type"], settings, currency=company_currency())
        except PolicySettingsError as error:
            for path, messages in error.errors.items():
                field = self._tier_field(path) if path.startswith("fee.tiers") else ERROR_FIELDS.get(path)
                for message in messages:
                    self.add_error(field, _tier_words(message, whole_table=path == "fee.tiers"))
            return cleaned
        self.instance.settings = settings
        return cleaned

    def _settings_from(self, cleaned: dict[str, Any]) -> dict[str, Any] | None:
        settings: dict[str, Any] = {}
        if cleaned.get("hours_before") is not None:
            settings["hours_before"] = _json_number(cleaned["hours_before"])
        if cleaned.get("limit") is not None:
            settings[QUOTA_KEYS[PolicyType(cleaned["policy_type"])]] = cleaned["limit"]
        fee = self._fee_from(cleaned)
        if fee is None:
            return None
        if fee:
            settings["fee"] = fee
        return settings

    def _fee_from(self, cleaned: dict[str, Any]) -> dict[str, Any] | None:
        kind = cleaned.get("fee_kind") or ""
        fee: dict[str, Any] = {"kind": kind} if kind else {}
        if kind in (FeeKind.FIXED, FeeKind.TIERED) and cleaned.get("fee_currency"):
            fee["currency"] = cleaned["fee_currency"].strip()
        if kind == FeeKind.FIXED and cleaned.get("fee_amount") is not None:
            fee["amount"] = str(cleaned["fee_amount"])
        if kind == FeeKind.PERCENTAGE:
            if cleaned.get("fee_percentage") is not None:
                fee["percentage"] = str(cleaned["fee_percentage"])
            if cleaned.get("fee_max_amount") is not None:
                fee["max_amount"] = str(cleaned["fee_max_amount"])
        if kind == FeeKind.TIERED:
            tiers = self._tiers_from(cleaned)
            if tiers is None:
                return None
            fee["tiers"] = tiers
        return fee

    def _tiers_from(self, cleaned: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The filled rows as settings tiers; `self.tier_rows[i]` is the row of tier i (for its errors)."""
        tiers, self.tier_rows = [], []
        for row in range(TIER_ROWS):
            low, high, amount = (cleaned.get(tier_field(row, part)) for part in TIER_PARTS)
            if low is None and high is None and amount is None:
                continue
            if low is None or amount is None:
                self.add_error(tier_field(row, "from" if low is None else "amount"), TIER_ROW_INCOMPLETE)
                return None
            high = None if high is None else _json_number(high)
            tiers.append({"min_hours": _json_number(low), "max_hours": high, "amount": str(amount)})
            self.tier_rows.append(row)
        return tiers

    def _tier_field(self, path: str) -> str:
        """`fee.tiers[1].amount` → the amount field of the row tier 1 came from; the whole table's
        errors (gaps, overlaps) go next to the first row."""
        match = re.match(r"fee\.tiers\[(\d+)\]\.?(\w*)", path)
        rows = getattr(self, "tier_rows", [])
        if match is None or int(match[1]) >= len(rows):
            return tier_field(rows[0] if rows else 0, "from")
        part = {"min_hours": "from", "max_hours": "to"}.get(match[2], "amount")
        return tier_field(rows[int(match[1])], part)


def initial_from_settings(policy_type: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The form's fields for stored settings (the inverse of PolicyForm._settings_from)."""
    fee = settings.get("fee") or {}
    kind = fee.get("kind", "")
    tiers = fee.get("tiers") or []
    return {
        "hours_before": settings.get("hours_before"),
        "limit": settings.get(QUOTA_KEYS.get(policy_type, "")),
        "fee_kind": "" if kind == FeeKind.NONE else kind,
        "fee_amount": fee.get("amount"),
        "fee_currency": fee.get("currency", ""),
        "fee_percentage": fee.get("percentage"),
        "fee_max_amount": fee.get("max_amount"),
        **tier_initial(tiers),
    }


TIER_PARTS = ("from", "to", "amount")


def tier_field(row: int, part: str) -> str:
    return f"tier_{row}_{part}"


def tier_initial(tiers: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows for stored tiers, shortest notice first (as people read a fee table)."""
    ordered = sorted(tiers, key=lambda t: Decimal(str(t.get("min_hours") or 0)))
    initial = {}
    for row, tier in enumerate(ordered[:TIER_ROWS]):
        values = (tier.get("min_hours"), tier.get("max_hours"), tier.get("amount"))
        initial.update({tier_field(row, part): value for part, value in zip(TIER_PARTS, values, strict=True)})
    return initial


TIER_FIELDSETS = [tuple(tier_field(row, part) for part in TIER_PARTS) for row in range(TIER_ROWS)]


def _tier_words(message: Any, *, whole_table: bool = False) -> Any:
    """A rules message as the rows say it: keys in words; a problem of the whole table as a sentence."""
    for known, words in TIER_WORDS.items():
        if str(known) == str(message):
            return words
    if str(message).startswith(str(TIERS_FEE_RISES).split("%(")[0]):  # a sentence of its own
        return f"{str(message)[:1].upper()}{str(message)[1:]}."
    return TIERS_PROBLEM % {"problem": message} if whole_table else message


for _row in range(TIER_ROWS):
    for _part, _label in zip(
        TIER_PARTS, (_("from (hours before)"), _("to (hours before)"), _("fee")), strict=True
    ):
        _field = _hours_field(_label) if _part != "amount" else MoneyField(label=_label)
        PolicyForm.base_fields[tier_field(_row, _part)] = PolicyForm.declared_fields[
            tier_field(_row, _part)
        ] = _field

# Who may only view a policy sees these fields read-only, labelled from `Meta.labels` (the admin's form
# class inherits `Meta`); Django would make "Fee percentage" and "Tier 0 from" of their names.
PolicyForm.Meta.labels = PolicyForm._meta.labels = {**(PolicyForm._meta.labels or {}), **{
    name: field.label for name, field in PolicyForm.declared_fields.items() if field.label
}}  # fmt: skip


def _json_number(value: Decimal) -> int | str:
    return int(value) if value == value.to_integral_value() else str(value)


class PreviewForm(forms.Form):
    """What would the engine answer now: for a real appointment, or for a made-up one."""

    appointment = forms.IntegerField(
        label=_("appointment number"),
        required=False,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text=_("A real appointment: its customer's quota counts too."),
    )
    starts_at = forms.SplitDateTimeField(
        label=_("or: start time"), required=False, widget=UnfoldAdminSplitDateTimeWidget
    )
    branch = forms.ModelChoiceField(
        label=_("branch"), queryset=Branch.objects.all(), required=False, widget=UnfoldAdminSelectWidget
    )
    service = forms.ModelChoiceField(
        label=_("service"), queryset=Service.objects.all(), required=False, widget=UnfoldAdminSelectWidget
    )
    staff = forms.ModelChoiceField(
        label=_("staff member"), queryset=Staff.objects.all(), required=False, widget=UnfoldAdminSelectWidget
    )
    new_starts_at = forms.SplitDateTimeField(
        label=_("move to"),
        required=False,
        widget=UnfoldAdminSplitDateTimeWidget,
        help_text=_("For the reschedule answer; empty: one week later."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        """Only the branches, services, staff and appointments the user may see (`org.access`)."""
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(access.branches_q(user))
        self.fields["service"].queryset = access.scoped(Service.objects.all(), access.service_q(user))
        self.fields["staff"].queryset = access.scoped(Staff.objects.all(), access.staff_q(user))
        self.appointments = Appointment.objects.filter(access.appointment_q(user))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self._errors:
            return cleaned
        number = cleaned.get("appointment")
        if number is not None:
            appointment = (
                self.appointments.select_related("branch", "service", "staff", "customer")
                .filter(pk=number)
                .first()
            )
            if appointment is None:
                self.add_error("appointment", _("There is no appointment %(number)s.") % {"number": number})
            cleaned["subject"] = appointment
        elif cleaned.get("starts_at") and cleaned.get("branch") and cleaned.get("service"):
            cleaned["subject"] = self._imagined_appointment(cleaned)
        else:
            raise forms.ValidationError(PREVIEW_NEEDS_TARGET)
        return cleaned

    @staticmethod
    def _imagined_appointment(cleaned: dict[str, Any]) -> Appointment:
        """Never saved: the engine only reads its fields (no customer, so no quota used yet)."""
        service = cleaned["service"]
        return Appointment(
            branch=cleaned["branch"],
            service=service,
            staff=cleaned.get("staff"),
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["starts_at"] + timedelta(minutes=service.duration_minutes),
            price=service.price,
            currency=service.currency,
            status=Appointment.Status.SCHEDULED,
        )

    def new_start_for(self, appointment: Appointment):
        return self.cleaned_data.get("new_starts_at") or max(
            appointment.starts_at, timezone.now()
        ) + timedelta(days=7)


class WaiveFeeForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text=_("Required: why the customer does not pay this fee."),
    )
