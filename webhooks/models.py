"""Endpoints a company's own systems registered, and every message we sent (or will send) to them."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.crypto import EncryptedTextField
from common.models import ActorHistory


class EventType(models.TextChoices):
    CALLBACK_CREATED = "callback.created", "callback.created"
    CALLBACK_ASSIGNED = "callback.assigned", "callback.assigned"
    CALLBACK_STATUS_CHANGED = "callback.status_changed", "callback.status_changed"
    CALLBACK_ESCALATED = "callback.escalated", "callback.escalated"
    CALLBACK_SLA_APPROACHING = "callback.sla_approaching", "callback.sla_approaching"
    APPOINTMENT_CREATED = "appointment.created", "appointment.created"
    APPOINTMENT_CANCELLED = "appointment.cancelled", "appointment.cancelled"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", "appointment.rescheduled"


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(
        models.CharField(max_length=40, choices=EventType.choices), verbose_name=_("events"), default=list
    )
    active = models.BooleanField(_("active"), default=True)
    # `whsec_` + base64 of 32 random bytes; shown once when created or rotated.
    secret = EncryptedTextField(_("signing secret"), editable=False)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled automatically"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["secret", "created_at", "updated_at"], bases=[ActorHistory])

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One message to one endpoint; created in the transaction of the change, sent after it commits."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    message_id = models.CharField(_("message id"), max_length=40, db_index=True)
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("request body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"
