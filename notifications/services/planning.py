"""Planning: a domain event (or the reminder planner) becomes delivery rows, inside the caller's
transaction, each `queued` with its message already rendered, or `skipped` with the reason."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.tasks import enqueue_on_commit
from notifications import conf, selectors
from notifications.channels.router import slack_webhook_url
from notifications.context import Subject, placeholder_values
from notifications.formatting import ComposedMessage, compose
from notifications.models import Channel, EventType, NotificationDelivery, RecipientKind
from notifications.quiet_hours import next_allowed
from notifications.selectors import Addressee, ChannelPlan

Status = NotificationDelivery.Status

NO_EMAIL = _("The recipient has no email address.")
INVALID_EMAIL = _("The email address “%(address)s” is not valid.")
NO_PHONE = _("The recipient has no phone number.")
INVALID_PHONE = _("The phone number “%(address)s” is not valid.")
NOT_MOBILE = _("The phone number “%(address)s” is a landline and cannot receive SMS or WhatsApp messages.")
NO_LOGIN = _("The staff member has no login to see in-app notifications.")
NO_SLACK_WEBHOOK = _("No Slack webhook is configured for the branch or the company.")
OPTED_OUT = _("The customer opted out of %(channel)s messages.")
NO_CONSENT = _("The customer has not consented to %(channel)s messages.")
NO_TEMPLATE = _("No %(channel)s template exists for this event in %(language)s.")
TEMPLATE_INVALID = _("The template cannot be used: %(errors)s")
QUIET_UNTIL_START = _("Quiet hours last until the appointment starts; the reminder would be too late.")
DAILY_CAP_REACHED = _("The customer already received %(cap)s messages today.")
APPOINTMENT_CANCELLED = _("The appointment was cancelled.")
APPOINTMENT_MOVED = _("The appointment moved; a reminder for the new time replaces this one.")
APPOINTMENT_PASSED = _("The appointment has already started.")
STUCK_IN_SENDING = _(
    "The send was interrupted and its outcome is unknown; it is not repeated automatically to avoid a "
    "duplicate. Use “resend” if the recipient did not get it."
)
NOT_RESENDABLE = _("Only failed deliveries can be resent.")

ENQUEUE_WITHIN = timedelta(minutes=15)  # later sends are picked up by the dispatch sweep


class SkipDelivery(Exception):
    """The message should not be sent after all; the reason ends up on the row.

    `try_fallback`: the recipient cannot be reached on this channel, so the fallback channel may help;
    False when the message itself is unwanted (quiet hours, appointment gone).
    """

    def __init__(self, reason: object, *, try_fallback: bool = True):
        super().__init__(reason)
        self.try_fallback = try_fallback


@dataclass(frozen=True)
class Planned:
    """What a new delivery is for, beyond recipient and channel."""

    event_type: EventType
    subject: Subject
    not_before: datetime
    appointment_starts_at: datetime | None = None
    reminder_offset_minutes: int | None = None
    dedupe_key: str | None = None


# ---------------------------------------------------------------------------------------------------
# Planning: event → delivery rows (in the caller's transaction)


def notifications_for_event(
    *, event_name: str, subject: Subject, extra_staff=()
) -> list[NotificationDelivery]:
    """Create the deliveries a domain event asks for: one per recipient and enabled channel."""
    event_type = selectors.active_event_type(event_name)
    if event_type is None:
        return []
    plan = Planned(event_type=event_type, subject=subject, not_before=timezone.now())
    return plan_for_recipients(plan, extra_staff=extra_staff)


def plan_for_recipients(
    plan: Planned, *, extra_staff=(), dedupe_prefix: str = ""
) -> list[NotificationDelivery]:
    subject, event_type = plan.subject, plan.event_type
    people = selectors.addressees(
        event_type, customer=subject.customer, assigned_staff=subject.staff, branch=subject.branch
    )
    known = {p.staff.pk for p in people if p.staff is not None}
    people += [
        Addressee(RecipientKind.STAFF, staff=s) for s in extra_staff if s.pk not in known and s.is_active
    ]
    rows: list[NotificationDelivery] = []
    for person in people:
        config_staff = person.staff if person.staff is not None else subject.staff
        plans = selectors.channel_plans(
            event_type, person.kind, staff=config_staff, service=subject.service, branch=subject.branch
        )
        for channel_plan in plans:
            key = (
                f"{dedupe_prefix}:{_recipient_key(person)}:{channel_plan.channel}" if dedupe_prefix else None
            )
            planned = plan if key is None else replace(plan, dedupe_key=key)
            row = delivery_plan(planned, person, channel_plan)
            if row is not None:
                rows.append(row)
    return rows


def _recipient_key(person: Addressee) -> str:
    if person.customer is not None:
        return f"customer-{person.customer.pk}"
    if person.staff is not None:
        return f"staff-{person.staff.pk}"
    return "team"


def delivery_plan(
    plan: Planned,
    person: Addressee,
    channel_plan: ChannelPlan,
    *,
    fallback_for: NotificationDelivery | None = None,
) -> NotificationDelivery | None:
    """One row for one recipient and channel: queued, or skipped with the reason (then the fallback)."""
    subject = plan.subject
    config = channel_plan.configuration
    row = NotificationDelivery(
        event_type=plan.event_type,
        channel=channel_plan.channel,
        recipient_kind=person.kind,
        customer=person.customer,
        staff=person.staff,
        branch=subject.branch,
        language=person.language or _company_language(),
        appointment=subject.appointment,
        callback=subject.callback,
        configuration=config,
        is_urgent=plan.event_type.is_urgent,
        fallback_channel="" if fallback_for else channel_plan.fallback_channel,
        fallback_for=fallback_for,
        max_attempts=1 + (config.retry_count if config else len(conf.retry_delays_minutes())),
        retry_delays_minutes=(config.retry_delays_minutes if config else []) or conf.retry_delays_minutes(),
        appointment_starts_at=plan.appointment_starts_at,
        reminder_offset_minutes=plan.reminder_offset_minutes,
        dedupe_key=f"{plan.dedupe_key}:fallback" if fallback_for and plan.dedupe_key else plan.dedupe_key,
        not_before=plan.not_before + timedelta(minutes=config.delay_minutes if config else 0),
    )
    try:
        row.address = address_for(person, row.channel, subject.branch)
        check_consent(person, row.channel, plan.event_type)
        _apply_quiet_hours(row, person)
        _fill_message(row, subject, config)
    except SkipDelivery as skip:
        return _save_skipped(row, skip, plan, person)
    if not _save_new(row):
        return None
    enqueue_if_due(row)
    return row


def _save_skipped(row, skip: SkipDelivery, plan: Planned, person: Addressee) -> NotificationDelivery | None:
    row.status, row.reason = Status.SKIPPED, str(skip)
    if not _save_new(row):
        return None
    if row.fallback_channel and skip.try_fallback:  # the next channel, once
        delivery_plan(
            plan, person, ChannelPlan(row.fallback_channel, row.configuration, ""), fallback_for=row
        )
    return row


def _save_new(row: NotificationDelivery) -> bool:
    """Insert; False when a row with the same dedupe key exists (a reminder planned twice)."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if row.dedupe_key and NotificationDelivery.objects.filter(dedupe_key=row.dedupe_key).exists():
            return False
        raise
    return True


def _company_language() -> str:
    from common.conf import current_company

    company = current_company()
    return company.language if company else "de"


# ---------------------------------------------------------------------------------------------------
# Who can be reached where


def address_for(person: Addressee, channel: str, branch) -> str:
    if channel == Channel.SLACK:
        if not slack_webhook_url(branch):
            raise SkipDelivery(NO_SLACK_WEBHOOK)
        return "slack:branch" if branch is not None and branch.slack_webhook_url else "slack:company"
    owner = person.customer if person.customer is not None else person.staff
    if channel == Channel.IN_APP:
        if not getattr(owner, "user_id", None):
            raise SkipDelivery(NO_LOGIN)
        return owner.user.get_username()
    if channel == Channel.EMAIL:
        return _emailaddress_for(owner.email)
    return _mobile_number(owner.phone)


def _emailaddress_for(email: str) -> str:
    if not email:
        raise SkipDelivery(NO_EMAIL)
    try:
        validate_email(email)
    except ValidationError:
        raise SkipDelivery(INVALID_EMAIL % {"address": email}) from None
    return email


def _mobile_number(phone) -> str:
    if not phone:
        raise SkipDelivery(NO_PHONE)
    raw = str(phone)
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise SkipDelivery(INVALID_PHONE % {"address": raw}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise SkipDelivery(INVALID_PHONE % {"address": raw})
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE:
        raise SkipDelivery(NOT_MOBILE % {"address": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_consent(person: Addressee, channel: str, event_type: EventType) -> None:
    """May this customer get this message on this channel? An opt-out stops everything on the channel;
    a message about their own appointment needs nothing more (conf.is_transactional) unless the channel
    always needs consent (conf.consent_required_channels); anything else needs consent to the channel."""
    customer = person.customer
    if customer is None:
        return
    label = Channel(channel).label
    if channel in selectors.opted_out_channels(customer):
        raise SkipDelivery(OPTED_OUT % {"channel": label})
    needs_consent = channel in conf.consent_required_channels() or not conf.is_transactional(event_type.key)
    if needs_consent and not getattr(customer, f"consent_{channel}_at", None):
        raise SkipDelivery(NO_CONSENT % {"channel": label})


def _apply_quiet_hours(row: NotificationDelivery, person: Addressee) -> None:
    """Non-urgent customer messages wait for the end of the customer's quiet hours."""
    window = conf.quiet_hours()
    if person.customer is None or row.is_urgent or window is None:
        return
    row.not_before = next_allowed(row.not_before, ZoneInfo(person.customer.timezone), *window)
    if row.appointment_starts_at and row.not_before >= row.appointment_starts_at:
        raise SkipDelivery(QUIET_UNTIL_START, try_fallback=False)


def _fill_message(row: NotificationDelivery, subject: Subject, config) -> None:
    """Render now, in the recipient's language: the row then shows exactly what will be sent."""
    override = config if config is not None and config.channel == row.channel else None
    text = selectors.template_text(row.event_type, row.channel, row.language, override)
    if text is None:
        raise SkipDelivery(NO_TEMPLATE % {"channel": Channel(row.channel).label, "language": row.language})
    values = placeholder_values(subject, row.language)
    try:
        message = compose(
            row.channel,
            subject=text[0],
            body=text[1],
            values=values,
            sms_max_segments=conf.sms_max_segments(),
        )
    except ValidationError as exc:
        raise SkipDelivery(TEMPLATE_INVALID % {"errors": " ".join(exc.messages)}) from None
    _store_message(row, message)


def _store_message(row: NotificationDelivery, message: ComposedMessage) -> None:
    row.subject, row.body = message.subject[:300], message.text
    row.sms_segments, row.sms_encoding = message.sms_segments, message.sms_encoding


def enqueue_if_due(row: NotificationDelivery) -> None:
    wait = (row.not_before - timezone.now()).total_seconds()
    if row.status == Status.QUEUED and wait <= ENQUEUE_WITHIN.total_seconds():
        from notifications.tasks import send_delivery

        enqueue_on_commit(send_delivery, row.pk, countdown=max(wait, 0) or None)
