"""Callback requests: a customer asked to be called back before a deadline.

State changes live in `callbacks.services`; this module holds the fields, the querysets the sweeps select
with, and the append-only timeline.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from common.messages import render_headings, render_message
from common.models import ActorHistory

CALL_BACK_AT_REQUIRED = _("Say when the customer wants to be called back.")
CALL_BACK_AT_NOT_ALLOWED = _("A call-back time only belongs to an “asked to call later” attempt.")
TIMELINE_IS_APPEND_ONLY = "The callback timeline is append-only; existing entries cannot be changed."


def overdue_q(now: datetime) -> Q:
    """Overdue: still open and past its deadline at `now`. The one definition, used by the list filter, the
    dashboard, the sweeps and metrics; `CallbackRequest.is_overdue` is its Python twin for a loaded row."""
    return Q(status__in=CallbackRequest.OPEN_STATUSES, expires_at__lt=now)


class CallbackRequestQuerySet(models.QuerySet):
    def open(self) -> "CallbackRequestQuerySet":
        return self.filter(status__in=CallbackRequest.OPEN_STATUSES)

    def overdue(self, now: datetime) -> "CallbackRequestQuerySet":
        return self.filter(overdue_q(now))


class AliveCallbackManager(models.Manager.from_queryset(CallbackRequestQuerySet)):
    """Callbacks that are not soft-deleted (the default); `all_objects` sees deleted ones too."""

    def get_queryset(self) -> CallbackRequestQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class CallbackRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ASSIGNED = "assigned", _("Assigned")
        CONTACTED = "contacted", _("Contacted")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    # Open: still to be worked; these count against a person's maximum and can become overdue.
    OPEN_STATUSES = (Status.PENDING, Status.ASSIGNED, Status.CONTACTED)

    class Priority(models.TextChoices):
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Source(models.TextChoices):
        PHONE_AGENT = "phone_agent", _("Phone agent")
        MANUAL = "manual", _("Manual")
        API = "api", _("API")
        BOOKING_FAILURE = "booking_failure", _("Booking failure")

    customer = models.ForeignKey(
        "org.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="callback_requests"
    )
    phone = PhoneNumberField(_("phone"), blank=True)
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    customer_email = models.EmailField(_("customer email"), blank=True, db_index=True)
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="callback_requests")
    service = models.ForeignKey(
        "org.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="callback_requests"
    )
    preferred_staff = models.ForeignKey(
        "org.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="preferred_callbacks"
    )
    assigned_to = models.ForeignKey(
        "org.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_callbacks"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    preferred_window_start = models.DateTimeField(_("preferred from"), null=True, blank=True)
    preferred_window_end = models.DateTimeField(_("preferred until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    phone_given_by_caller = models.BooleanField(
        _("number given by the caller"),
        default=False,
        help_text=_("The caller dictated this number; it is not the one they called from (unverified)."),
    )
    call = models.ForeignKey(
        "calls.Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="callback_requests"
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="settled_callbacks",
    )
    contact_attempts_count = models.PositiveIntegerField(_("contact attempts"), default=0)
    failed_attempts_count = models.PositiveIntegerField(_("failed contact attempts"), default=0)
    # System texts as message keys with parameters (`common.messages`), shown in the reader's language.
    assignment_reason = models.JSONField(_("why this assignee"), default=str, blank=True)
    unassignable_reason = models.JSONField(_("why nobody could be assigned"), default=str, blank=True)
    unassignable_since = models.DateTimeField(_("unassignable since"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    sla_warned_at = models.DateTimeField(_("deadline warning sent"), null=True, blank=True)
    reassign_due_at = models.DateTimeField(
        _("hand on if nobody tried by"),
        null=True,
        blank=True,
        help_text=_(
            "When the assignee has made no contact attempt by then, the callback goes to someone else."
        ),
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    last_escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AliveCallbackManager()
    all_objects = CallbackRequestQuerySet.as_manager()
    # Every change with its old and new values, who made it and when (shown on the callback's page).
    history = HistoricalRecords(
        excluded_fields=["updated_at"], cascade_delete_history=True, bases=[ActorHistory]
    )

    class Meta:
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        ordering = ["expires_at", "id"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["branch", "status"]),
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["phone", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer_name or self.phone}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        """`overdue_q(now)` for this row."""
        return self.is_open and self.expires_at is not None and self.expires_at < timezone.now()

    # The system texts in the active language (the reader's); `common.messages.render_message` for another.
    @property
    def assignment_reason_text(self) -> str:
        return render_message(self.assignment_reason)

    @property
    def unassignable_reason_text(self) -> str:
        return render_message(self.unassignable_reason)

    @property
    def notes_text(self) -> str:
        """The notes with the headings of appended blocks ("Note by Anna") in the active language."""
        return render_headings(self.notes)


class ContactAttempt(models.Model):
    """One try to reach the customer; three failed ones escalate the callback."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL = "voicemail", _("Voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        ASKED_TO_CALL_LATER = "asked_to_call_later", _("Asked to call later")

    FAILED = (Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER)

    callback = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="contact_attempts")
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="contact_attempts"
    )
    attempted_at = models.DateTimeField(_("when"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.attempted_at:%Y-%m-%d %H:%M}"

    @property
    def failed(self) -> bool:
        return self.outcome in self.FAILED

    def clean(self) -> None:
        if self.outcome == self.Outcome.ASKED_TO_CALL_LATER and self.call_back_at is None:
            raise ValidationError({"call_back_at": CALL_BACK_AT_REQUIRED})
        if self.outcome != self.Outcome.ASKED_TO_CALL_LATER and self.call_back_at is not None:
            raise ValidationError({"call_back_at": CALL_BACK_AT_NOT_ALLOWED})


class CallbackEscalation(models.Model):
    class Reason(models.TextChoices):
        SLA_BREACH = "sla_breach", _("Deadline missed")
        MAX_ATTEMPTS = "max_attempts", _("Too many failed contact attempts")
        MANUAL = "manual", _("Escalated by hand")

    callback = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    from_staff = models.ForeignKey(
        "org.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations_from"
    )
    to_staff = models.ForeignKey(
        "org.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations_to"
    )
    escalated_at = models.DateTimeField(_("escalated"), default=timezone.now, db_index=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    notes = models.JSONField(_("notes"), default=str, blank=True)  # `common.messages` stored form
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)

    class Meta:
        verbose_name = _("callback escalation")
        verbose_name_plural = _("callback escalations")
        ordering = ["escalated_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} (level {self.level})"

    @property
    def notes_text(self) -> str:
        return render_message(self.notes)


class CallbackEvent(models.Model):
    """The timeline: one append-only row per thing that happened to a callback, shown on its admin page."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        DUPLICATE_MERGED = "duplicate_merged", _("Duplicate request merged")
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNABLE = "unassignable", _("Nobody could be assigned")
        ASSIGNMENT_KEPT = "assignment_kept", _("Assignment kept")
        CONTACT_ATTEMPT = "contact_attempt", _("Contact attempt")
        CONTACTED = "contacted", _("Contacted")
        DEADLINE_MOVED = "deadline_moved", _("Deadline moved")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        SLA_APPROACHING = "sla_approaching", _("Deadline approaching")
        ESCALATED = "escalated", _("Escalated")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        DELETED = "deleted", _("Deleted")
        RESTORED = "restored", _("Restored")

    callback = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=200)
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callback_events",
        help_text=_("The staff member the entry is about (e.g. the new assignee)."),
    )
    message = models.JSONField(_("details"), default=str)  # `common.messages` stored form
    details = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "staff", "at"]), models.Index(fields=["callback", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(TIMELINE_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    @property
    def message_text(self) -> str:
        return render_message(self.message)
