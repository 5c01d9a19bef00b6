"""Callback requests: a customer asked to be called back before a deadline."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class CallbackRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ASSIGNED = "assigned", _("Assigned")
        CONTACTED = "contacted", _("Contacted")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

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
    phone = PhoneNumberField(_("phone"))
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
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
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        ordering = ["expires_at", "id"]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["branch", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer_name or self.phone}"
