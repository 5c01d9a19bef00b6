"""Cancellation and reschedule policies per company, branch, service or staff member, and what happened.

The rules themselves (schema, fees, verdicts) live in policies/rules.py; resolution in selectors.py; every
change in services.py.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.conf import current_company
from common.models import ActorHistory
from policies.rules import Level, PolicySettingsError, PolicyType, merge_settings, parse_policy_settings

TARGET_MISSING = _("Choose the %(target)s this policy applies to.")
TARGET_EXTRA = _("A %(target_type)s policy cannot also name a %(other)s.")
OVERRIDES_OTHER_TYPE = _("A policy can only override another policy of the same type.")
OVERRIDES_ITSELF = _("A policy cannot override itself, directly or through a chain.")
OVERRIDES_DELETED = _("The overridden policy has been deleted.")
DUPLICATE_LIVE_POLICY = _("This %(target)s already has a live %(policy_type)s policy; edit that one instead.")
# The constraints' own message; validation replaces it with DUPLICATE_LIVE_POLICY naming the target.
_DUPLICATE_CONSTRAINT_MESSAGE = "one live policy per target and type"

TARGET_FIELDS = {Level.BRANCH: "branch", Level.SERVICE: "service", Level.STAFF: "staff"}


class TargetType(models.TextChoices):
    COMPANY = Level.COMPANY.value, Level.COMPANY.label
    BRANCH = Level.BRANCH.value, Level.BRANCH.label
    SERVICE = Level.SERVICE.value, Level.SERVICE.label
    STAFF = Level.STAFF.value, Level.STAFF.label


def _target_is(target_type: str, field: str | None) -> Q:
    """Exactly the FK of ``target_type`` is set (none for the company)."""
    q = Q(target_type=target_type)
    for other in TARGET_FIELDS.values():
        q &= Q(**{f"{other}__isnull": other != field})
    return q


class PolicyQuerySet(models.QuerySet):
    def live(self) -> PolicyQuerySet:
        return self.filter(deleted_at__isnull=True)


class PolicyConfiguration(models.Model):
    """One policy of one type for one target; soft-deleted rows stay for the record."""

    target_type = models.CharField(_("applies to"), max_length=16, choices=TargetType.choices)
    branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("branch"),
    )
    service = models.ForeignKey(
        "org.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("service"),
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("staff member"),
    )
    policy_type = models.CharField(_("policy type"), max_length=16, choices=PolicyType.choices)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    overrides = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="overridden_by",
        verbose_name=_("overrides"),
        help_text=_("Inherit the settings of this policy and change only the ones set here."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = PolicyQuerySet.as_manager()
    # who changed which rule, when
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"], bases=[ActorHistory])

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["policy_type", "target_type", "id"]
        constraints = [
            models.CheckConstraint(
                name="policy_target_matches_type",
                condition=_target_is(TargetType.COMPANY, None)
                | _target_is(TargetType.BRANCH, "branch")
                | _target_is(TargetType.SERVICE, "service")
                | _target_is(TargetType.STAFF, "staff"),
            ),
            models.CheckConstraint(
                name="policy_does_not_override_itself",
                condition=Q(overrides__isnull=True) | ~Q(overrides=models.F("id")),
            ),
            models.UniqueConstraint(
                fields=["policy_type"],
                condition=Q(target_type=TargetType.COMPANY, deleted_at__isnull=True),
                name="one_live_company_policy_per_type",
                violation_error_message=_DUPLICATE_CONSTRAINT_MESSAGE,
            ),
            *(
                models.UniqueConstraint(
                    fields=[field, "policy_type"],
                    condition=Q(deleted_at__isnull=True, **{f"{field}__isnull": False}),
                    name=f"one_live_{field}_policy_per_type",
                    violation_error_message=_DUPLICATE_CONSTRAINT_MESSAGE,
                )
                for field in TARGET_FIELDS.values()
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_policy_type_display()} · {self.target_label}"

    @property
    def level(self) -> Level:
        return Level(self.target_type)

    @property
    def target(self) -> models.Model | None:
        field = TARGET_FIELDS.get(self.level)
        return getattr(self, field) if field else None

    @property
    def target_label(self) -> str:
        target = self.target
        label = str(TargetType(self.target_type).label)
        return f"{label} {target}" if target is not None else label

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None

    def effective_settings(self) -> dict:
        """Own settings on top of the live policy this one overrides (recursively), else just its own."""
        return effective_settings(
            self, lambda p: p.overrides if p.overrides and p.overrides.is_live else None
        )

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self._clean_target(errors)
        self._clean_overrides(errors)
        try:
            parse_policy_settings(self.policy_type, self.settings, currency=company_currency())
        except PolicySettingsError as error:
            errors.setdefault("settings", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # Forms never edit deleted_at, so they exclude it, which would skip the "one live policy" checks whose
        # condition reads it; it is always safe to check against the stored value.
        exclude = set(exclude or ()) - {"deleted_at"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            # Put the duplicate message in words people use ("this branch already has ...").
            params = {"target": self.target_label, "policy_type": self.get_policy_type_display()}
            raise ValidationError(
                [
                    DUPLICATE_LIVE_POLICY % params if m == _DUPLICATE_CONSTRAINT_MESSAGE else m
                    for m in error.messages
                ]
            ) from None

    def _clean_target(self, errors: dict[str, list]) -> None:
        if self.target_type not in TargetType.values:
            return
        wanted = TARGET_FIELDS.get(Level(self.target_type))
        for field in TARGET_FIELDS.values():
            is_set = getattr(self, f"{field}_id") is not None
            if field == wanted and not is_set:
                errors.setdefault(field, []).append(TARGET_MISSING % {"target": _(field)})
            elif field != wanted and is_set:
                params = {"target_type": TargetType(self.target_type).label, "other": _(field)}
                errors.setdefault(field, []).append(TARGET_EXTRA % params)

    def _clean_overrides(self, errors: dict[str, list]) -> None:
        parent = self.overrides
        if parent is None:
            return
        if parent.policy_type != self.policy_type:
            errors.setdefault("overrides", []).append(OVERRIDES_OTHER_TYPE)
        if not parent.is_live:
            errors.setdefault("overrides", []).append(OVERRIDES_DELETED)
        seen: set[int] = set()
        while parent is not None and parent.pk not in seen:
            if self.pk is not None and parent.pk == self.pk:
                errors.setdefault("overrides", []).append(OVERRIDES_ITSELF)
                return
            seen.add(parent.pk)
            parent = parent.overrides


def effective_settings(
    policy: PolicyConfiguration, live_parent: Callable[[PolicyConfiguration], PolicyConfiguration | None]
) -> dict:
    """Walk the explicit override chain (stopping at a deleted parent or a loop); nearer settings win."""
    chain, seen = [policy.settings or {}], {policy.pk}
    parent = live_parent(policy)
    while parent is not None and parent.pk not in seen:
        seen.add(parent.pk)
        chain.append(parent.settings or {})
        parent = live_parent(parent)
    merged: dict = {}
    for settings in reversed(chain):
        merged = merge_settings(merged, settings)
    return merged


def company_currency() -> str:
    company = current_company()
    return getattr(company, "currency", None) or "EUR"


class ModificationType(models.TextChoices):
    CANCEL = "cancel", _("cancellation")
    RESCHEDULE = "reschedule", _("reschedule")

    @property
    def policy_type(self) -> PolicyType:
        return PolicyType.CANCELLATION if self is ModificationType.CANCEL else PolicyType.RESCHEDULE


class ActorType(models.TextChoices):
    STAFF = "staff", _("staff")
    CUSTOMER = "customer", _("customer")
    PHONE_AGENT = "phone_agent", _("phone agent")
    SYSTEM = "system", _("system")


class JudgedBy(models.TextChoices):
    SNAPSHOT = "snapshot", _("policy at booking")
    CURRENT = "current", _("current policy")


class AppointmentModification(models.Model):
    """A cancellation or reschedule that happened, with the policy's verdict and who did it.

    Quotas are counted from these rows (rolling 30 days per customer for cancellations, per appointment for
    reschedules), so every change from the admin, the phone agent or Cal.com writes one.
    """

    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.CASCADE,
        related_name="modifications",
        verbose_name=_("appointment"),
    )
    customer = models.ForeignKey(
        "org.Customer",
        on_delete=models.CASCADE,
        related_name="appointment_modifications",
        verbose_name=_("customer"),
    )
    modification_type = models.CharField(_("type"), max_length=16, choices=ModificationType.choices)
    within_policy = models.BooleanField(_("within policy"), default=True)
    fee_amount = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    fee_currency = models.CharField(_("currency"), max_length=3, default="EUR")
    waived = models.BooleanField(_("fee waived"), default=False)
    waived_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fee waived by"),
    )
    waive_reason = models.TextField(_("reason for waiving"), blank=True)
    overridden = models.BooleanField(_("refusal overridden"), default=False)
    override_reason = models.TextField(_("reason for overriding"), blank=True)
    reason = models.TextField(_("reason given"), blank=True)
    decision_code = models.CharField(_("verdict"), max_length=32, blank=True)
    decision_reason = models.TextField(_("verdict in words"), blank=True)
    policy = models.ForeignKey(
        PolicyConfiguration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="modifications",
        verbose_name=_("policy"),
    )
    policy_level = models.CharField(
        _("policy from"), max_length=16, choices=Level.choices, default=Level.DEFAULT
    )
    judged_by = models.CharField(
        _("judged by"), max_length=16, choices=JudgedBy.choices, default=JudgedBy.CURRENT
    )
    hours_notice = models.DecimalField(_("hours of notice"), max_digits=10, decimal_places=2)
    previous_starts_at = models.DateTimeField(_("previous start"))
    new_starts_at = models.DateTimeField(_("new start"), null=True, blank=True)
    actor_type = models.CharField(_("done by"), max_length=16, choices=ActorType.choices)
    actor_staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment_modifications",
        verbose_name=_("changed by"),
    )
    metadata = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("appointment change")
        verbose_name_plural = _("appointment changes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["customer", "modification_type", "created_at"], name="policy_mod_customer_window"
            ),
            models.Index(fields=["appointment", "modification_type"], name="policy_mod_appointment"),
        ]
        constraints = [
            models.CheckConstraint(name="modification_fee_not_negative", condition=Q(fee_amount__gte=0)),
            models.CheckConstraint(
                name="modification_staff_actor_named",
                condition=~Q(actor_type=ActorType.STAFF) | Q(actor_staff__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_modification_type_display()} · {self.appointment_id} · {self.created_at:%Y-%m-%d}"

    @property
    def fee_charged(self) -> Decimal:
        return Decimal("0.00") if self.waived else self.fee_amount
