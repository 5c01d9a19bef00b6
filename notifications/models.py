"""Who hears about what, on which channel, and the record of every message we tried to send."""

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import ActorHistory
from notifications.rendering import template_errors


class Channel(models.TextChoices):
    # A message context keeps Django's own "Email" translation ("E-Mail-Adresse") out of these labels.
    EMAIL = "email", pgettext_lazy("notification channel", "Email")
    SMS = "sms", pgettext_lazy("notification channel", "SMS")
    WHATSAPP = "whatsapp", pgettext_lazy("notification channel", "WhatsApp")
    SLACK = "slack", pgettext_lazy("notification channel", "Slack")
    IN_APP = "in_app", pgettext_lazy("notification channel", "In-app")


class Recipient(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ASSIGNED_STAFF = "assigned_staff", _("Assigned staff member")
    BRANCH_MANAGERS = "branch_managers", _("Branch managers")


class RecipientKind(models.TextChoices):
    """Who a single delivery goes to: one customer, one staff member, or the team's Slack channel."""

    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Staff member")
    TEAM = "team", _("Team channel")


# Which channels can reach which kind of recipient.
CHANNELS_FOR = {
    RecipientKind.CUSTOMER: {Channel.EMAIL, Channel.SMS, Channel.WHATSAPP},
    RecipientKind.STAFF: {Channel.EMAIL, Channel.SMS, Channel.IN_APP},
    RecipientKind.TEAM: {Channel.SLACK},
}

FALLBACK_SAME_AS_CHANNEL = _("The fallback channel must differ from the channel.")
CHANNEL_NOT_FOR_EVENT = _("%(channel)s cannot reach the recipients of “%(event)s” (%(recipients)s).")
ONE_TARGET_ONLY = _("Choose at most one of staff member, service and branch (none: the whole company).")


class EventType(models.Model):
    """The registry of things we notify about; rows are seeded by a data migration, keyed by event name."""

    class Category(models.TextChoices):
        BOOKING = "booking", _("Booking")
        REMINDER = "reminder", _("Reminder")
        MODIFICATION = "modification", _("Modification")
        CALLBACK = "callback", _("Callback")
        SYSTEM = "system", _("System")

    key = models.CharField(_("event"), max_length=100, unique=True)
    label = models.CharField(_("label (English)"), max_length=200)
    label_de = models.CharField(_("label (German)"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    recipients = ArrayField(
        models.CharField(max_length=32, choices=Recipient.choices), verbose_name=_("default recipients")
    )
    default_channels = ArrayField(
        models.CharField(max_length=16, choices=Channel.choices), verbose_name=_("default channels")
    )
    default_fallback_channel = models.CharField(
        _("default fallback channel"), max_length=16, choices=Channel.choices, blank=True
    )
    is_urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Urgent messages ignore customer quiet hours.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")
        ordering = ["category", "key"]

    def __str__(self) -> str:
        return self.label_de if get_language() == "de" else self.label

    def recipient_labels(self) -> str:
        """The default recipients as a person reads them ("Filialleitung", not "branch_managers")."""
        return ", ".join(str(Recipient(value).label) for value in self.recipients or [])

    def channel_labels(self) -> str:
        return ", ".join(str(Channel(value).label) for value in self.default_channels or [])

    def clean(self) -> None:
        for channel in self.default_channels or []:
            _check_channel_reaches(self, channel, "default_channels")
        if self.default_fallback_channel:
            _check_channel_reaches(self, self.default_fallback_channel, "default_fallback_channel")

    def reachable_channels(self) -> set[str]:
        kinds = {RecipientKind.CUSTOMER} if Recipient.CUSTOMER in self.recipients else set()
        if set(self.recipients) - {Recipient.CUSTOMER}:
            kinds |= {RecipientKind.STAFF, RecipientKind.TEAM}
        return {channel for kind in kinds for channel in CHANNELS_FOR[kind]}


def _validate_templates(instance: models.Model, fields: list[str]) -> None:
    errors = {}
    for name in fields:
        problems = template_errors(getattr(instance, name) or "")
        if problems:
            errors[name] = problems
    if errors:
        raise ValidationError(errors)


class NotificationConfiguration(models.Model):
    """One channel of one event for one level of the hierarchy: staff → service → branch → company.

    The most specific row wins (no merging between levels), as in the policy engine. A row with no
    staff, service or branch is the company default.
    """

    event_type = models.ForeignKey(
        EventType, on_delete=models.PROTECT, related_name="configurations", verbose_name=_("event")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("staff member")
    )
    service = models.ForeignKey(
        "org.Service", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("service")
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("branch")
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    fallback_channel = models.CharField(
        _("fallback channel"), max_length=16, choices=Channel.choices, blank=True
    )
    retry_count = models.PositiveSmallIntegerField(
        _("retries"),
        default=3,
        validators=[MaxValueValidator(10)],
        help_text=_("Attempts after the first one."),
    )
    retry_delays_minutes = ArrayField(
        models.PositiveIntegerField(validators=[MaxValueValidator(1440)]),
        default=list,
        blank=True,
        verbose_name=_("retry delays (minutes)"),
        help_text=_("Wait before each retry; the last value repeats. Empty: the company default (1, 5, 15)."),
    )
    delay_minutes = models.PositiveIntegerField(
        _("send delay (minutes)"), default=0, help_text=_("Wait this long after the event before sending.")
    )
    subject_de = models.CharField(_("subject (German)"), max_length=200, blank=True)
    body_de = models.TextField(_("text (German)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"], bases=[ActorHistory])

    class Meta:
        verbose_name = _("notification configuration")
        verbose_name_plural = _("notification configurations")
        ordering = ["event_type__key", "channel", "branch", "service", "staff"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "channel", "staff", "service", "branch"],
                nulls_distinct=False,
                name="notification_config_one_per_target_event_channel",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(staff__isnull=True, service__isnull=True)
                    | models.Q(staff__isnull=True, branch__isnull=True)
                    | models.Q(service__isnull=True, branch__isnull=True)
                ),
                name="notification_config_at_most_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} · {self.get_channel_display()} · {self.target_label}"

    @property
    def level(self) -> str:
        if self.staff_id:
            return "staff"
        if self.service_id:
            return "service"
        if self.branch_id:
            return "branch"
        return "company"

    @property
    def target_label(self) -> str:
        target = self.staff or self.service or self.branch
        return str(target) if target else str(_("Whole company"))

    def template_override(self, language: str) -> tuple[str, str]:
        """(subject, body) for `language`, empty strings where nothing is overridden."""
        return getattr(self, f"subject_{language}", ""), getattr(self, f"body_{language}", "")

    def clean(self) -> None:
        if sum(bool(x) for x in (self.staff_id, self.service_id, self.branch_id)) > 1:
            raise ValidationError(ONE_TARGET_ONLY)
        if self.fallback_channel and self.fallback_channel == self.channel:
            raise ValidationError({"fallback_channel": FALLBACK_SAME_AS_CHANNEL})
        if self.event_type_id and self.channel:
            _check_channel_reaches(self.event_type, self.channel, "channel")
            if self.fallback_channel:
                _check_channel_reaches(self.event_type, self.fallback_channel, "fallback_channel")
        _validate_templates(self, ["subject_de", "body_de", "subject_en", "body_en"])


def _check_channel_reaches(event_type: EventType, channel: str, field: str) -> None:
    if channel not in event_type.reachable_channels():
        recipients = ", ".join(str(Recipient(r).label) for r in event_type.recipients)
        params = {"channel": Channel(channel).label, "event": event_type.key, "recipients": recipients}
        raise ValidationError({field: ValidationError(CHANNEL_NOT_FOR_EVENT, params=params)})


class NotificationTemplate(models.Model):
    """The default text of one event on one channel in one language (seeded in German and English)."""

    event_type = models.ForeignKey(
        EventType, on_delete=models.CASCADE, related_name="templates", verbose_name=_("event")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=[("de", _("German")), ("en", _("English"))]
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[ActorHistory])

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event_type__key", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "channel", "language"], name="notification_template_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} · {self.get_channel_display()} · {self.get_language_display()}"

    def clean(self) -> None:
        if self.event_type_id and self.channel:
            _check_channel_reaches(self.event_type, self.channel, "channel")
        _validate_templates(self, ["subject", "body"])


class NotificationDelivery(models.Model):
    """One message to one recipient on one channel: created with the change that caused it, sent later."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        FALLBACK = "fallback", _("Handed to fallback channel")
        SKIPPED = "skipped", _("Skipped")
        CANCELLED = "cancelled", _("Cancelled")

    event_type = models.ForeignKey(
        EventType, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("event")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    reason = models.TextField(_("reason"), blank=True)
    recipient_kind = models.CharField(_("recipient"), max_length=16, choices=RecipientKind.choices)
    customer = models.ForeignKey(
        "org.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
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
        "org.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("appointment"),
    )
    callback = models.ForeignKey(
        "callbacks.CallbackRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("callback"),
    )
    configuration = models.ForeignKey(
        NotificationConfiguration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("notification configuration"),
    )
    is_urgent = models.BooleanField(_("urgent"), default=False)
    fallback_channel = models.CharField(
        _("fallback channel"), max_length=16, choices=Channel.choices, blank=True
    )
    fallback_for = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fallbacks",
        verbose_name=_("fallback for"),
    )
    resent_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resent from"),
    )
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=4)
    retry_delays_minutes = ArrayField(
        models.PositiveIntegerField(), default=list, blank=True, verbose_name=_("retry delays (minutes)")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Reminders: which start time and offset this row was planned for (the appointment may move later).
    appointment_starts_at = models.DateTimeField(_("for appointment at"), null=True, blank=True)
    reminder_offset_minutes = models.PositiveIntegerField(
        _("reminder (minutes before)"), null=True, blank=True
    )
    dedupe_key = models.CharField(
        max_length=255, null=True, blank=True, unique=True, verbose_name=_("deduplication key")
    )
    not_before = models.DateTimeField(_("send at"), db_index=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    sms_segments = models.PositiveSmallIntegerField(_("SMS segments"), null=True, blank=True)
    sms_encoding = models.CharField(_("SMS encoding"), max_length=8, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(
        _("delivered"), null=True, blank=True, help_text=_("As reported by the provider (SMS and WhatsApp).")
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "not_before"]),
            models.Index(fields=["customer", "status", "sent_at"]),
            models.Index(fields=["staff", "channel", "read_at"]),
            models.Index(fields=["appointment", "status"]),
            models.Index(fields=["provider_message_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.get_channel_display()} ({self.get_status_display()})"


class InAppNotification(NotificationDelivery):
    """The in-app deliveries of the logged-in staff member: their notification inbox in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("my notification")
        verbose_name_plural = _("my notifications")


class ContactOptOut(models.Model):
    """A customer said "no more messages on this channel": nothing, transactional or not, goes there again.

    One row per customer and channel (the first opt-out is kept; repeating it changes nothing). Rows are
    written only by `notifications.services.opt_outs`; the customer page shows them read-only.
    """

    class Source(models.TextChoices):
        AGENT = "agent", _("Phone agent")
        SMS_STOP = "sms_stop", _("SMS reply STOP")
        ADMIN = "admin", _("Admin")
        EMAIL_LINK = "email_link", _("Unsubscribe link in an email")

    customer = models.ForeignKey(
        "org.Customer", on_delete=models.CASCADE, related_name="opt_outs", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(_("opted out at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        ordering = ["customer", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="contact_opt_out_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_channel_display()}"


class ReportPreference(models.Model):
    """Which manager reports a person receives by email; without a row a manager gets both."""

    staff = models.OneToOneField("org.Staff", on_delete=models.CASCADE, related_name="report_preference")
    daily_summary = models.BooleanField(_("daily summary"), default=True)
    weekly_sla_report = models.BooleanField(_("weekly deadline report"), default=True)

    class Meta:
        verbose_name = _("report by email")
        verbose_name_plural = _("reports by email")

    def __str__(self) -> str:
        return str(self.staff)
