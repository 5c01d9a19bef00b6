"""A company's organisation: branches with their hours, services, staff and customers."""

from datetime import datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from common.crypto import EncryptedTextField
from common.models import ActorHistory
from org.hours import WeeklyHours
from org.roles import Role

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
CLOSES_BEFORE_OPENS = _("Closing time must be after opening time.")
CLOSURE_ENDS_BEFORE_START = _("A closure cannot end before it starts.")
UNKNOWN_TIMEZONE = _("“%(value)s” is not a known time zone.")


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except Exception as exc:
        raise ValidationError(UNKNOWN_TIMEZONE, params={"value": value}) from exc


class Branch(models.Model):
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    timezone = models.CharField(
        _("timezone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A Slack incoming-webhook URL is a credential (whoever has it can post): encrypted like the company's.
    slack_webhook_url = EncryptedTextField(
        _("Slack webhook URL"), blank=True, default="", validators=[URLValidator()]
    )

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _weekly_hours(self) -> WeeklyHours:
        intervals: dict[int, list[tuple[time, time]]] = {}
        for row in self.opening_hours.all():
            intervals.setdefault(row.weekday, []).append((row.opens, row.closes))
        closures = [(c.starts_on, c.ends_on) for c in self.closures.all()]
        return WeeklyHours(tz=self.tzinfo, intervals=intervals, closures=closures)

    def weekly_hours(self) -> WeeklyHours:
        """This branch's clock (cached on the instance; prefetch opening_hours and closures for lists)."""
        return self._weekly_hours


class OpeningHours(models.Model):
    """One open span of a weekday; several spans on one day leave breaks between them."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["branch", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": CLOSES_BEFORE_OPENS})


class Closure(models.Model):
    """Holidays and other days a branch is closed (inclusive date range)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["branch", "starts_on"]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on} {self.reason}".strip()

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": CLOSURE_ENDS_BEFORE_START})


class Service(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=30)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    is_active = models.BooleanField(_("active"), default=True)
    branches = models.ManyToManyField(Branch, related_name="services", blank=True, verbose_name=_("branches"))
    calcom_event_type_id = models.PositiveBigIntegerField(_("Cal.com event type"), null=True, blank=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A person who works for the company, linked to their login in this company's schema."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    branches = models.ManyToManyField(Branch, related_name="staff", blank=True, verbose_name=_("branches"))
    services = models.ManyToManyField(Service, related_name="staff", blank=True, verbose_name=_("services"))
    is_active = models.BooleanField(_("active"), default=True)
    accepts_callbacks = models.BooleanField(_("accepts callbacks"), default=True)
    max_open_callbacks = models.PositiveIntegerField(_("maximum open callbacks"), default=10)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="de")
    history = HistoricalRecords(bases=[ActorHistory])

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200)
    phone = PhoneNumberField(_("phone"), blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    timezone = models.CharField(
        _("timezone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    is_vip = models.BooleanField(_("VIP"), default=False)
    consent_email_at = models.DateTimeField(_("email consent"), null=True, blank=True)
    consent_sms_at = models.DateTimeField(_("SMS consent"), null=True, blank=True)
    consent_whatsapp_at = models.DateTimeField(_("WhatsApp consent"), null=True, blank=True)
    opted_out_channels = ArrayField(
        models.CharField(max_length=16), default=list, blank=True, verbose_name=_("opted out of")
    )
    notes = models.TextField(_("notes"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"], bases=[ActorHistory])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


ABSENCE_ENDS_BEFORE_START = _("An absence cannot end before it starts.")


class AbsenceQuerySet(models.QuerySet):
    def covering(self, at: datetime) -> "AbsenceQuerySet":
        """Absences whose days include `at` (the company's local date; both ends inclusive)."""
        day = timezone.localdate(at)
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Absence(models.Model):
    """A staff member is away (holiday, sick, training) on these days: they take no callbacks, and the ones
    they hold return to the pool when it starts (`callbacks.services.pool`; `released_at` records that)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        SICK = "sick", _("Sick")
        TRAINING = "training", _("Training")

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="absences", verbose_name=_("staff member")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOLIDAY)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.TextField(_("note"), blank=True)
    released_at = models.DateTimeField(
        _("callbacks released"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When this person's open callbacks went back to the pool for this absence."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"], bases=[ActorHistory])

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on", "staff"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["staff", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_kind_display()} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": ABSENCE_ENDS_BEFORE_START})

    def covers(self, at: datetime) -> bool:
        """`Absence.objects.covering(at)` for this row."""
        return self.starts_on <= timezone.localdate(at) <= self.ends_on


class SavedView(models.Model):
    """A person's named filter set on one admin list ("Meine dringenden"): the list's querystring.

    Personal: only its owner sees, uses or deletes it. It lives in the company's schema, so it never
    reaches another company. Only the list's own parameters are kept (`org.services.saved_view_query`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    list_name = models.CharField(_("list"), max_length=100)  # the admin list: "callbacks.callbackrequest"
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"], name="saved_view_name_once_per_list"
            )
        ]

    def __str__(self) -> str:
        return self.name
