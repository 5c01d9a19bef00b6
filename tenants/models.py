"""The platform (public schema): companies, their host names and the phone numbers that route to them."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name, schema_exists
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from common.audit import no_history_user
from common.conf import company_settings_validate
from common.crypto import EncryptedTextField
from common.models import ActorHistory
from tenants.template import company_schema_clone, schema_name_check

PUBLIC_SCHEMA = get_public_schema_name()


class Company(TenantMixin):
    """One business (a tenant); its data lives in the PostgreSQL schema named after its slug."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=63, unique=True)
    timezone = models.CharField(_("timezone"), max_length=64, default="Europe/Berlin")
    language = models.CharField(_("language"), max_length=8, default="de")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    settings = models.JSONField(_("settings overrides"), default=dict, blank=True)

    retell_api_key = EncryptedTextField(_("Retell API key"), blank=True, default="")
    calcom_api_key = EncryptedTextField(_("Cal.com API key"), blank=True, default="")
    calcom_webhook_secret = EncryptedTextField(_("Cal.com webhook secret"), blank=True, default="")
    calcom_username = models.CharField(_("Cal.com username"), max_length=100, blank=True)
    twilio_account_sid = EncryptedTextField(_("Twilio account SID"), blank=True, default="")
    twilio_auth_token = EncryptedTextField(_("Twilio auth token"), blank=True, default="")
    twilio_from_number = models.CharField(_("SMS sender number"), max_length=32, blank=True)
    whatsapp_from_number = models.CharField(_("WhatsApp sender number"), max_length=32, blank=True)
    slack_webhook_url = EncryptedTextField(_("Slack webhook URL"), blank=True, default="")

    # Personal data is kept this long, then emptied by the nightly job (org.retention, docs/operations.md).
    webhook_body_retention_days = models.PositiveIntegerField(
        _("keep raw webhook bodies (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("What Retell and Cal.com sent us, as received."),
    )
    transcript_retention_days = models.PositiveIntegerField(
        _("keep call transcripts (days)"),
        default=365,
        validators=[MinValueValidator(1)],
        help_text=_("Transcripts, recordings and analyses of calls; the agent's function arguments."),
    )
    notification_body_retention_days = models.PositiveIntegerField(
        _("keep notification texts (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("Subject and text of every message sent; status and times are kept."),
    )

    auto_create_schema = True
    auto_drop_schema = False

    SECRET_FIELDS = (
        "retell_api_key",
        "calcom_api_key",
        "calcom_webhook_secret",
        "twilio_account_sid",
        "twilio_auth_token",
        "slack_webhook_url",
    )

    RETENTION_FIELDS = (
        "webhook_body_retention_days",
        "transcript_retention_days",
        "notification_body_retention_days",
    )

    # Settings changes, who made them and when; secrets stay out of the record.
    history = HistoricalRecords(
        excluded_fields=["created_at", *SECRET_FIELDS], bases=[ActorHistory], get_user=no_history_user
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        company_settings_validate(self.settings)
        schema_name_check(self.schema_name or self.slug)

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            schema_name_check(self.schema_name)  # before django-tenants would hand it the template's schema
        super().save(*args, **kwargs)

    def create_schema(
        self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1
    ) -> bool:
        """A new company's schema is a clone of the migrated template (tenants.template), not migrated
        from scratch; the platform's own (public) schema is django-tenants' as before."""
        if self.schema_name == PUBLIC_SCHEMA or not sync_schema:
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        company_schema_clone(self.schema_name, verbosity=verbosity)
        return True


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class PhoneNumber(models.Model):
    """Routes a called (or calling) number to its company: how host-less webhooks find their tenant."""

    number = PhoneNumberField(_("number"), unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="phone_numbers")
    branch_id = models.BigIntegerField(_("branch id"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} → {self.company_id}"
