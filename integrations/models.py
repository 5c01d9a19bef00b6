"""The inbox: every request a third party sends us, stored before it is processed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEventQuerySet(models.QuerySet):
    def claim(self, *, pk: int, source: str) -> "WebhookEvent | None":
        """Lock one stored event that still needs work, or None when it is done or another worker holds it.

        Call inside a transaction: the row stays locked until it commits.
        """
        waiting = (WebhookEvent.Status.RECEIVED, WebhookEvent.Status.FAILED)
        return (
            self.select_for_update(skip_locked=True).filter(pk=pk, source=source, status__in=waiting).first()
        )


class WebhookEvent(models.Model):
    class Source(models.TextChoices):
        RETELL = "retell", "Retell"
        CALCOM = "calcom", "Cal.com"

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored")

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    event = models.CharField(_("event"), max_length=64)
    external_id = models.CharField(_("external id"), max_length=200)
    body = models.JSONField(_("body"), default=dict)
    raw_body = models.TextField(_("raw body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    objects = WebhookEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "event", "external_id"], name="webhook_event_once"),
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.event}:{self.external_id}"
