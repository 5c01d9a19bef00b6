"""Phone calls answered by the voice agent (one row per Retell call) and what the agent did on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Call(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    class Stage(models.IntegerChoices):
        """How far Retell's reports about this call have got; a later stage is never overwritten."""

        INBOUND = 0, _("Ringing")
        STARTED = 1, _("Started")
        ENDED = 2, _("Ended")
        ANALYZED = 3, _("Analysed")

    class Status(models.TextChoices):
        """Retell's `call_status`; stored as Retell sent it, shown in the reader's language."""

        REGISTERED = "registered", _("Registered")
        NOT_CONNECTED = "not_connected", _("Not connected")
        ONGOING = "ongoing", _("Ongoing")
        ENDED = "ended", _("Ended")
        ERROR = "error", _("Error")

    class Sentiment(models.TextChoices):
        """Retell's `user_sentiment` values."""

        POSITIVE = "Positive", _("Positive")
        NEUTRAL = "Neutral", _("Neutral")
        NEGATIVE = "Negative", _("Negative")
        UNKNOWN = "Unknown", _("Unknown")

    retell_call_id = models.CharField(_("Retell call id"), max_length=128, unique=True)
    agent_id = models.CharField(_("agent"), max_length=128, blank=True)
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.INBOUND
    )
    from_number = models.CharField(_("from"), max_length=32, blank=True)
    to_number = models.CharField(_("to"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=32, blank=True, choices=Status.choices)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=Stage.INBOUND)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"), null=True, blank=True)
    disconnection_reason = models.CharField(_("disconnection reason"), max_length=64, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    transcript_turns = models.JSONField(_("transcript turns"), default=list, blank=True)
    recording_url = models.URLField(_("recording"), max_length=1000, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=16, blank=True, choices=Sentiment.choices)
    successful = models.BooleanField(_("successful"), null=True, blank=True)
    in_voicemail = models.BooleanField(_("voicemail"), null=True, blank=True)
    custom_analysis = models.JSONField(_("custom analysis"), default=dict, blank=True)
    collected_variables = models.JSONField(_("collected variables"), default=dict, blank=True)
    cost_cents = models.DecimalField(
        _("cost (USD cents)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    telephony_cost_cents = models.DecimalField(
        _("telephony cost (USD cents)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    cost_currency = models.CharField(_("currency"), max_length=3, blank=True)
    exchange_rate = models.DecimalField(
        _("USD exchange rate"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    converted_cost_cents = models.DecimalField(
        _("cost (cents, company currency)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("branch"),
    )
    customer = models.ForeignKey(
        "org.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("customer"),
    )
    follow_up_checked_at = models.DateTimeField(_("follow-up checked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["started_at"])]

    def __str__(self) -> str:
        return self.retell_call_id

    @property
    def minutes(self) -> float:
        return round((self.duration_ms or 0) / 60_000, 2)

    @property
    def caller_number(self) -> str:
        """The customer's side of the call as stored when it started ("" when withheld)."""
        return self.to_number if self.direction == self.Direction.OUTBOUND else self.from_number


class FunctionInvocation(models.Model):
    """One custom-function request the agent made during a call, with what we answered."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="function_invocations", verbose_name=_("call")
    )
    name = models.CharField(_("function"), max_length=64)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    # sha256 of call id, function and arguments: a replayed request gets this row's answer ("" = not kept).
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("function invocation")
        verbose_name_plural = _("function invocations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=~models.Q(fingerprint=""),
                name="calls_invocation_fingerprint_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.call_id})"
