"""Appointments, mirrored with the company's Cal.com calendar."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey("org.Service", on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ADMIN)
    calcom_booking_uid = models.CharField(
        _("Cal.com booking"), max_length=128, null=True, blank=True, unique=True
    )
    previous_booking_uids = ArrayField(models.CharField(max_length=128), default=list, blank=True)
    call = models.ForeignKey(
        "calls.Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    callback = models.ForeignKey(
        "callbacks.CallbackRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    policy_snapshot = models.JSONField(_("policy at booking"), default=dict, blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    notes = models.TextField(_("notes"), blank=True)
    sync_state = models.CharField(
        _("sync"), max_length=16, choices=SyncState.choices, default=SyncState.PENDING
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["branch", "starts_at"]),
            models.Index(fields=["customer", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"
