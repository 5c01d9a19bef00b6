"""Phone calls answered by the voice agent (one row per Retell call)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Call(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    retell_call_id = models.CharField(_("Retell call id"), max_length=128, unique=True)
    agent_id = models.CharField(_("agent"), max_length=128, blank=True)
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.INBOUND
    )
    from_number = models.CharField(_("from"), max_length=32, blank=True)
    to_number = models.CharField(_("to"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=32, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"), null=True, blank=True)
    disconnection_reason = models.CharField(_("disconnection reason"), max_length=64, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    transcript_turns = models.JSONField(_("transcript turns"), default=list, blank=True)
    recording_url = models.URLField(_("recording"), max_length=1000, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=16, blank=True)
    successful = models.BooleanField(_("successful"), null=True, blank=True)
    in_voicemail = models.BooleanField(_("voicemail"), null=True, blank=True)
    custom_analysis = models.JSONField(_("custom analysis"), default=dict, blank=True)
    cost_cents = models.DecimalField(
        _("cost (USD cents)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    customer = models.ForeignKey(
        "org.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return self.retell_call_id
