"""Appointments, mirrored with the company's Cal.com calendar."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import ActorHistory

SERVICE_NOT_OFFERED = _("%(service)s is not offered at this branch.")
STAFF_NOT_AT_BRANCH = _("%(staff)s does not work at this branch.")


class AppointmentQuerySet(models.QuerySet):
    def active(self) -> AppointmentQuerySet:
        """Still going to happen: scheduled or confirmed (`Appointment.ACTIVE_STATUSES`)."""
        return self.filter(status__in=Appointment.ACTIVE_STATUSES)


class Appointment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No show")

    class Source(models.TextChoices):
        PHONE_AGENT = "phone_agent", _("Phone agent")
        ADMIN = "admin", _("Admin")
        CALCOM = "calcom", _("Cal.com")
        API = "api", _("API")

    class SyncState(models.TextChoices):
        SYNCED = "synced", _("Synced")
        PENDING = "pending", _("Pending")
        FAILED = "failed", _("Failed")

    customer = models.ForeignKey(
        "org.Customer", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("customer")
    )
    service = models.ForeignKey(
        "org.Service", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("service")
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("staff member"),
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("branch")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ADMIN)
    calcom_booking_uid = models.CharField(
        _("Cal.com booking"), max_length=128, null=True, blank=True, unique=True
    )
    previous_booking_uids = ArrayField(
        models.CharField(max_length=128), default=list, blank=True, verbose_name=_("earlier Cal.com bookings")
    )
    call = models.ForeignKey(
        "calls.Call",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("call"),
    )
    callback = models.ForeignKey(
        "callbacks.CallbackRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("callback"),
    )
    policy_snapshot = models.JSONField(_("policy at booking"), default=dict, blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    notes = models.TextField(_("notes"), blank=True)
    sync_state = models.CharField(
        _("sync"), max_length=16, choices=SyncState.choices, default=SyncState.PENDING
    )
    idempotency_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, verbose_name=_("booking request key")
    )
    # Sent to Cal.com in the booking's metadata: a webhook carrying it is our own booking echoed back.
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AppointmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[ActorHistory])

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["branch", "starts_at"]),
            models.Index(fields=["customer", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            )
        ]

    ACTIVE_STATUSES = (Status.SCHEDULED, Status.CONFIRMED)

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def all_booking_uids(self) -> list[str]:
        """Every Cal.com uid this appointment has had, newest first (a reschedule creates a new uid)."""
        current = [self.calcom_booking_uid] if self.calcom_booking_uid else []
        return [*current, *reversed(self.previous_booking_uids)]


class EventTypeMapping(models.Model):
    """Which Cal.com event type books a service at a branch: the default there, or one per staff member.

    Each branch has its own calendar. An event type belongs to at most one mapping, so a webhook's
    `eventTypeId` names exactly one branch and service.
    """

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.CASCADE, related_name="event_type_mappings", verbose_name=_("branch")
    )
    service = models.ForeignKey(
        "org.Service", on_delete=models.CASCADE, related_name="event_type_mappings", verbose_name=_("service")
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_type_mappings",
        verbose_name=_("staff member"),
        help_text=_("Leave empty for the event type that books the service with any staff member."),
    )
    event_type_id = models.PositiveBigIntegerField(_("Cal.com event type"), unique=True)
    title = models.CharField(_("title in Cal.com"), max_length=200, blank=True)
    slug = models.CharField(_("slug in Cal.com"), max_length=200, blank=True)
    length_minutes = models.PositiveIntegerField(_("length in Cal.com (minutes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event type mapping")
        verbose_name_plural = _("event type mappings")
        ordering = ["branch__name", "service__name", "staff__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "service"],
                condition=Q(staff__isnull=True),
                name="one_default_event_type_per_branch_service",
            ),
            models.UniqueConstraint(
                fields=["branch", "service", "staff"],
                condition=Q(staff__isnull=False),
                name="one_event_type_per_branch_service_staff",
            ),
        ]

    def __str__(self) -> str:
        who = self.staff.name if self.staff_id else _("any staff")
        return f"{self.branch} · {self.service} ({who}) → {self.event_type_id}"

    def clean(self) -> None:
        """The service must be offered at the branch, and a staff member must work there."""
        if not (self.branch_id and self.service_id):
            return
        if not self.service.branches.filter(pk=self.branch_id).exists():
            raise ValidationError({"branch": SERVICE_NOT_OFFERED % {"service": self.service}})
        if self.staff_id and not self.staff.branches.filter(pk=self.branch_id).exists():
            raise ValidationError({"staff": STAFF_NOT_AT_BRANCH % {"staff": self.staff}})


class SlotHold(models.Model):
    """A slot reserved in Cal.com for a few minutes while the caller confirms (a Cal.com reservation)."""

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        BOOKED = "booked", _("Booked")
        RELEASED = "released", _("Released")

    reservation_uid = models.CharField(_("Cal.com reservation"), max_length=128, unique=True)
    event_type_id = models.PositiveBigIntegerField(_("Cal.com event type"))
    service = models.ForeignKey(
        "org.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.CASCADE, related_name="+", verbose_name=_("branch")
    )
    customer = models.ForeignKey(
        "org.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    call = models.ForeignKey(
        "calls.Call",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("call"),
    )
    starts_at = models.DateTimeField(_("starts"))
    expires_at = models.DateTimeField(_("held until"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.HELD)
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slot_holds",
        verbose_name=_("appointment"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("slot hold")
        verbose_name_plural = _("slot holds")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.event_type_id} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"


class UnmappedBooking(models.Model):
    """A booking made in Cal.com for an event type no mapping names: it waits here for an admin.

    No branch is guessed for it. A callback request carries the patient to a human meanwhile; once the
    event type is mapped and the Cal.com event reprocessed, the appointment is created and this is resolved.
    """

    class Status(models.TextChoices):
        NEEDS_MAPPING = "needs_mapping", _("Needs mapping")
        RESOLVED = "resolved", _("Resolved")
        CANCELLED = "cancelled", _("Cancelled in Cal.com")

    calcom_booking_uid = models.CharField(_("Cal.com booking"), max_length=128, unique=True)
    event_type_id = models.PositiveBigIntegerField(_("Cal.com event type"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    attendee_name = models.CharField(_("name"), max_length=200, blank=True)
    attendee_email = models.EmailField(_("email"), blank=True)
    attendee_phone = models.CharField(_("phone"), max_length=32, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEEDS_MAPPING
    )
    callback = models.ForeignKey(
        "callbacks.CallbackRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("callback"),
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointment"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("unmapped Cal.com booking")
        verbose_name_plural = _("unmapped Cal.com bookings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type_id} {self.starts_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
