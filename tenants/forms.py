"""The company's settings as form fields an office person can fill in (no JSON box).

Each tunable threshold of `settings.SWITCHBOARD` is one typed field; empty means "the platform's default"
(shown in its help text). Stored keys the form does not know are kept as they are. Secrets are write-only:
the form says whether one is set, and offers "replace" (type a new value) and "clear".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from common.conf import is_platform_only, platform_setting
from tenants.models import Company

DEFAULT_HELP = _("Empty: the default (%(default)s).")
BUILT_IN_HELP = _("Empty: the built-in default.")
LIST_INVALID = _("Write whole numbers separated by commas, e.g. “1440, 120”.")
SECRET_TEMPLATE = "admin/tenants/secret_input.html"


@dataclass(frozen=True)
class Setting:
    """One company-tunable value: where it lives in `Company.settings` and how it is typed in."""

    key: str
    part: str | None
    label: Any
    make: Callable[..., forms.Field]
    group: Any

    @property
    def name(self) -> str:
        return f"setting_{self.key.lower()}" + (f"_{self.part}" if self.part else "")

    def default(self) -> Any:
        value = platform_setting(self.key, None)
        return value.get(self.part) if self.part and isinstance(value, dict) else value


def _int(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(min_value=0, widget=UnfoldAdminIntegerFieldWidget, **kwargs)


def _decimal(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(min_value=0, decimal_places=2, widget=UnfoldAdminDecimalFieldWidget, **kwargs)


def _time(**kwargs: Any) -> forms.TimeField:
    widget = UnfoldAdminTextInputWidget(attrs={"placeholder": "HH:MM"})
    return forms.TimeField(input_formats=["%H:%M"], widget=widget, **kwargs)


def _yes_no(**kwargs: Any) -> forms.ChoiceField:
    choices = [("", _("default")), ("yes", _("yes")), ("no", _("no"))]
    return forms.ChoiceField(choices=choices, widget=UnfoldAdminSelectWidget, **kwargs)


class MinutesListField(forms.CharField):
    """Whole numbers separated by commas, e.g. reminder offsets in minutes."""

    widget = UnfoldAdminTextInputWidget

    def to_python(self, value: Any) -> list[int] | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError as exc:
            raise forms.ValidationError(LIST_INVALID) from exc

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(item) for item in value) if isinstance(value, list) else value


CALLBACKS, APPOINTMENTS, NOTIFICATIONS = _("Callbacks"), _("Appointments"), _("Notifications")
SETTINGS = [
    Setting("CALLBACK_SLA_HOURS", "urgent", _("deadline for urgent callbacks (hours)"), _int, CALLBACKS),
    Setting("CALLBACK_SLA_HOURS", "high", _("deadline for high-priority callbacks (hours)"), _int, CALLBACKS),
    Setting("CALLBACK_SLA_HOURS", "normal", _("deadline for normal callbacks (hours)"), _int, CALLBACKS),
    Setting("CALLBACK_SLA_WARNING_MINUTES", None, _("warn before the deadline (minutes)"), _int, CALLBACKS),
    Setting(
        "CALLBACK_DUPLICATE_WINDOW_MINUTES",
        None,
        _("merge repeat requests within (minutes)"),
        _int,
        CALLBACKS,
    ),
    Setting("CALLBACK_MAX_FAILED_ATTEMPTS", None, _("failed attempts before escalating"), _int, CALLBACKS),
    Setting(
        "CALLBACK_ESCALATION_COOLDOWN_HOURS", None, _("pause between escalations (hours)"), _int, CALLBACKS
    ),
    Setting(
        "CALLBACK_EXPIRY_GRACE_DAYS", None, _("close unanswered callbacks after (days)"), _int, CALLBACKS
    ),
    Setting(
        "CALLBACK_REASSIGN_AFTER_SHARE",
        None,
        _("share of the deadline before reassigning (0 to 1)"),
        _decimal,
        CALLBACKS,
    ),
    Setting(
        "CALLBACK_PRIORITY_CANCELLATIONS", None, _("cancellations that make a callback high"), _int, CALLBACKS
    ),
    Setting(
        "CALLBACK_PRIORITY_CANCELLATION_DAYS", None, _("… counted over the last (days)"), _int, CALLBACKS
    ),
    Setting(
        "APPOINTMENT_SEARCH_MAX_DAYS", None, _("search free times up to (days ahead)"), _int, APPOINTMENTS
    ),
    Setting("APPOINTMENT_MAX_ALTERNATIVES", None, _("alternatives offered"), _int, APPOINTMENTS),
    Setting(
        "APPOINTMENT_SLOT_HOLD_MINUTES", None, _("hold a slot while booking (minutes)"), _int, APPOINTMENTS
    ),
    Setting(
        "POLICY_ALWAYS_CURRENT",
        None,
        _("judge changes by today's rules, not the booked ones"),
        _yes_no,
        APPOINTMENTS,
    ),
    Setting("CALCOM_CLIENT", "read_timeout", _("wait for Cal.com (seconds)"), _decimal, APPOINTMENTS),
    Setting(
        "NOTIFICATION_REMINDER_OFFSETS_MINUTES",
        None,
        _("reminders before the appointment (minutes, comma-separated)"),
        MinutesListField,
        NOTIFICATIONS,
    ),
    Setting("NOTIFICATION_QUIET_HOURS", "start", _("quiet hours from"), _time, NOTIFICATIONS),
    Setting("NOTIFICATION_QUIET_HOURS", "end", _("quiet hours until"), _time, NOTIFICATIONS),
    Setting(
        "NOTIFICATION_DAILY_CAP_PER_CUSTOMER", None, _("messages per customer per day"), _int, NOTIFICATIONS
    ),
    Setting("NOTIFICATION_SMS_MAX_SEGMENTS", None, _("longest SMS (parts)"), _int, NOTIFICATIONS),
]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def settings_fields() -> dict[str, forms.Field]:
    """The typed fields, declared on the form class (the admin's fieldsets name them)."""
    return {
        spec.name: spec.make(label=spec.label, required=False, help_text=DEFAULT_HELP % {"default": "…"})
        for spec in SETTINGS
    }


def settings_initial(stored: dict[str, Any]) -> dict[str, Any]:
    """The fields' values for what the company has stored (absent: empty, i.e. the default)."""
    initial = {}
    for spec in SETTINGS:
        value = stored.get(spec.key)
        if spec.part:
            value = value.get(spec.part) if isinstance(value, dict) else None
        if isinstance(value, bool):
            value = "yes" if value else "no"
        initial[spec.name] = value
    return initial


def settings_merged(stored: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """`stored` with the form's keys replaced by what was typed (empty removes the override); addresses,
    which only the platform sets (`common.conf.is_platform_only`), are dropped if an old row has one."""
    merged = {
        key: (
            {k: v for k, v in value.items() if not is_platform_only(str(k))}
            if isinstance(value, dict)
            else value
        )
        for key, value in stored.items()
        if not is_platform_only(key)
    }
    for spec in SETTINGS:
        value = _stored_value(cleaned.get(spec.name))
        if spec.part is None:
            merged.pop(spec.key, None)
            if value is not None:
                merged[spec.key] = value
            continue
        group = merged.get(spec.key) if isinstance(merged.get(spec.key), dict) else {}
        group.pop(spec.part, None)
        if value is not None:
            group[spec.part] = value
        merged[spec.key] = group
        if not group:
            merged.pop(spec.key)
    return merged


def _stored_value(value: Any) -> Any:
    if value in (None, "", []):
        return None
    if value in ("yes", "no"):
        return value == "yes"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def describe_defaults(fields: dict[str, forms.Field]) -> None:
    """Each setting's help text names the platform's default (read now, not at import)."""
    for spec in SETTINGS:
        if spec.name in fields:
            default = spec.default()
            shown = DEFAULT_HELP % {"default": _shown(default)} if default is not None else BUILT_IN_HELP
            fields[spec.name].help_text = shown


def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in available_timezones() if "/" in name and not name.startswith("Etc/"))
    return [(name, name.replace("_", " ")) for name in names]


def currency_choices() -> list[tuple[str, str]]:
    """The currencies call costs can be converted into (`USD_EXCHANGE_RATE`)."""
    return [(code, code) for code in sorted(platform_setting("USD_EXCHANGE_RATE"))]


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


# --- secrets: "set / not set", replace, clear ----------------------------------------------------------


class SecretInput(forms.Widget):
    """Never renders the value: a status ("set" / "not set"), an input to replace it and a "clear" box."""

    template_name = SECRET_TEMPLATE
    is_set = False

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        context["widget"]["is_set"] = self.is_set
        return context

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        """Through the project's templates (the form renderer only knows Django's own)."""
        return mark_safe(render_to_string(self.template_name, self.get_context(name, None, attrs)))

    def value_from_datadict(self, data, files, name: str) -> dict[str, Any]:
        return {"new": (data.get(name) or "").strip(), "clear": bool(data.get(f"{name}__clear"))}

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return name not in data and f"{name}__clear" not in data


class SecretField(forms.Field):
    """Cleans to the value to store: the new one, "" when cleared, or `keep` (the stored one)."""

    widget = SecretInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        super().__init__(**{**kwargs, "required": False})

    def clean(self, value: Any) -> dict[str, Any]:
        return value if isinstance(value, dict) else {"new": "", "clear": False}


def secret_value(choice: dict[str, Any], stored: str) -> str:
    """What a secret becomes: cleared, replaced by what was typed, or kept."""
    if choice.get("new"):
        return choice["new"]
    return "" if choice.get("clear") else stored


# --- the form itself (the platform's and, without the platform fields, the company's) ---------------


class CompanyForm(forms.ModelForm):
    """Language, time zone and currency as choices, the settings as typed fields (`tenants.forms`), and
    secrets write-only: the form says whether each is set and offers to replace or clear it."""

    class Meta:
        model = Company
        fields = [
            "name",
            "slug",
            "schema_name",
            "timezone",
            "language",
            "currency",
            "is_active",
            *Company.SECRET_FIELDS,
            "calcom_username",
            "twilio_from_number",
            "whatsapp_from_number",
            *Company.RETENTION_FIELDS,
        ]
        field_classes = {name: SecretField for name in Company.SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("timezone", timezone_choices()),
            ("language", language_choices()),
            ("currency", currency_choices()),
        ):
            label = Company._meta.get_field(name).verbose_name
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, widget=UnfoldAdminSelectWidget
            )
        for name in Company.SECRET_FIELDS:
            self.fields[name].widget = SecretInput()
            self.fields[name].widget.is_set = bool(self.instance.pk and getattr(self.instance, name))
        describe_defaults(self.fields)
        if not self.is_bound:
            self.initial.update(settings_initial(self.instance.settings or {}))

    def clean(self):
        cleaned = super().clean()
        for name in Company.SECRET_FIELDS:
            stored = getattr(self.instance, name, "") if self.instance.pk else ""
            cleaned[name] = secret_value(cleaned.get(name) or {}, stored or "")
        if not any(spec.name in self.errors for spec in SETTINGS):
            self.instance.settings = settings_merged(self.instance.settings or {}, cleaned)
        return cleaned


for _name, _field in settings_fields().items():
    CompanyForm.base_fields[_name] = CompanyForm.declared_fields[_name] = _field


def company_fieldsets(*, platform: bool) -> list[tuple[Any, dict[str, Any]]]:
    """The settings page in sections an office person recognises."""
    general = ["name", "timezone", "language", "currency"]
    if platform:
        general[1:1] = ["slug", "schema_name", "is_active"]
    access = [*Company.SECRET_FIELDS, "calcom_username", "twilio_from_number", "whatsapp_from_number"]
    sections = [(_("General"), general), (_("Access data"), access)]
    for group in dict.fromkeys(spec.group for spec in SETTINGS):
        sections.append((group, [spec.name for spec in SETTINGS if spec.group == group]))
    sections.append((_("Data retention"), list(Company.RETENTION_FIELDS)))
    return [(title, {"fields": fields}) for title, fields in sections]
