"""Reads: which configuration applies, who receives an event, which template text to use."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django_tenants.utils import get_public_schema_name

from common.phone import try_normalise_phone
from notifications.models import (
    CHANNELS_FOR,
    Channel,
    ContactOptOut,
    EventType,
    NotificationConfiguration,
    NotificationDelivery,
    NotificationTemplate,
    Recipient,
    RecipientKind,
)
from org.models import Staff
from org.roles import Role
from tenants.models import Company
from tenants.routing import company_for_number

# Most specific first, as in the policy engine.
LEVELS = ("staff", "service", "branch", "company")


@dataclass(frozen=True)
class Addressee:
    """One recipient of an event: a customer, a staff member, or the team channel (Slack)."""

    kind: str
    customer: object = None
    staff: object = None

    @property
    def language(self) -> str:
        if self.customer is not None:
            return self.customer.preferred_language
        if self.staff is not None:
            return self.staff.language
        return ""


@dataclass(frozen=True)
class ChannelPlan:
    """How one channel is used for one recipient: from a configuration row or the registry defaults."""

    channel: str
    configuration: NotificationConfiguration | None
    fallback_channel: str


def active_event_type(key: str) -> EventType | None:
    return EventType.objects.filter(key=key, is_active=True).first()


def configurations_for(event_type: EventType, *, staff, service, branch) -> list[NotificationConfiguration]:
    """Every row that could apply to this target chain, in one query."""
    chain = Q(staff__isnull=True, service__isnull=True, branch__isnull=True)
    if staff is not None:
        chain |= Q(staff=staff)
    if service is not None:
        chain |= Q(service=service)
    if branch is not None:
        chain |= Q(branch=branch)
    return list(NotificationConfiguration.objects.filter(chain, event_type=event_type))


def most_specific(rows: list[NotificationConfiguration]) -> dict[str, NotificationConfiguration]:
    """Per channel, the row of the most specific level (staff → service → branch → company)."""
    winners: dict[str, NotificationConfiguration] = {}
    for row in sorted(rows, key=lambda r: LEVELS.index(r.level)):
        winners.setdefault(row.channel, row)
    return winners


def channel_plans(event_type: EventType, kind: str, *, staff, service, branch) -> list[ChannelPlan]:
    """The enabled channels for one kind of recipient, each with its configuration (if any)."""
    winners = most_specific(configurations_for(event_type, staff=staff, service=service, branch=branch))
    candidates = [*event_type.default_channels, *(c for c in winners if c not in event_type.default_channels)]
    chosen: list[tuple[str, NotificationConfiguration | None, str]] = []
    for channel in candidates:
        row = winners.get(channel)
        if channel not in CHANNELS_FOR[kind] or (row is not None and not row.is_enabled):
            continue
        chosen.append((channel, row, row.fallback_channel if row else event_type.default_fallback_channel))
    primary = {channel for channel, _row, _fallback in chosen}
    return [
        ChannelPlan(channel, row, _usable_fallback(fallback, primary, kind))
        for channel, row, fallback in chosen
    ]


def _usable_fallback(fallback: str, primary: set[str], kind: str) -> str:
    """A fallback that is already a primary channel would send the same message twice there."""
    return fallback if fallback and fallback not in primary and fallback in CHANNELS_FOR[kind] else ""


def configuration_levels(event_type: EventType, channel: str) -> list[NotificationConfiguration]:
    """All rows of one event and channel, most specific level first (for the admin's hierarchy view)."""
    rows = NotificationConfiguration.objects.filter(event_type=event_type, channel=channel)
    rows = list(rows.select_related("staff", "service", "branch"))
    return sorted(rows, key=lambda r: (LEVELS.index(r.level), r.target_label))


@dataclass(frozen=True)
class OverviewRow:
    """One event and channel: the registry default, then every row that overrides it, level by level."""

    event_type: EventType
    channel: str
    default_on: bool
    rows: list[NotificationConfiguration]

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)


def configuration_overview() -> list[OverviewRow]:
    """Every event with each channel that is on by default or configured anywhere (two queries)."""
    configured: dict[tuple[int, str], list[NotificationConfiguration]] = {}
    rows = NotificationConfiguration.objects.select_related("staff", "service", "branch")
    for row in sorted(rows, key=lambda r: (LEVELS.index(r.level), r.target_label)):
        configured.setdefault((row.event_type_id, row.channel), []).append(row)
    overview = []
    for event_type in EventType.objects.order_by("key"):
        channels = [*event_type.default_channels]
        channels += sorted({c for (e, c) in configured if e == event_type.pk and c not in channels})
        for channel in channels:
            on = channel in event_type.default_channels
            overview.append(
                OverviewRow(event_type, channel, on, configured.get((event_type.pk, channel), []))
            )
    return overview


def addressees(event_type: EventType, *, customer, assigned_staff, branch) -> list[Addressee]:
    """Who hears about the event, from the registry's default recipients; absent people are left out."""
    people: list[Addressee] = []
    if Recipient.CUSTOMER in event_type.recipients and customer is not None:
        people.append(Addressee(RecipientKind.CUSTOMER, customer=customer))
    staff_members: list = []
    if Recipient.ASSIGNED_STAFF in event_type.recipients and assigned_staff is not None:
        staff_members.append(assigned_staff)
    if Recipient.BRANCH_MANAGERS in event_type.recipients:
        staff_members.extend(branch_managers(branch))
    seen: set[int] = set()
    for member in staff_members:
        if member.pk not in seen and member.is_active:
            seen.add(member.pk)
            people.append(Addressee(RecipientKind.STAFF, staff=member))
    if set(event_type.recipients) - {Recipient.CUSTOMER}:
        people.append(Addressee(RecipientKind.TEAM))
    return people


def branch_managers(branch) -> QuerySet[Staff]:
    return Staff.objects.filter(
        branches=branch, role__in=[Role.MANAGER, Role.ADMIN], is_active=True
    ).order_by("pk")


def template_text(
    event_type: EventType, channel: str, language: str, configuration
) -> tuple[str, str] | None:
    """(subject, body): the configuration's override for the language, else the stored default template."""
    if configuration is not None:
        subject, body = configuration.template_override(language)
        if body:
            default = _default_template(event_type, channel, language)
            return subject or (default.subject if default else ""), body
    default = _default_template(event_type, channel, language)
    return (default.subject, default.body) if default else None


def _default_template(event_type: EventType, channel: str, language: str) -> NotificationTemplate | None:
    templates = NotificationTemplate.objects.filter(event_type=event_type, channel=channel)
    return templates.filter(language=language).first() or templates.filter(language="de").first()


def unread_in_app(staff) -> QuerySet[NotificationDelivery]:
    return NotificationDelivery.objects.filter(
        staff=staff, channel="in_app", status=NotificationDelivery.Status.SENT, read_at__isnull=True
    )


def deliveries_export(customer) -> list[dict]:
    """Data-subject export: every message we sent (or meant to send) to the customer."""
    rows = NotificationDelivery.objects.filter(customer=customer, recipient_kind=RecipientKind.CUSTOMER)
    return list(
        rows.order_by("created_at", "pk").values(
            "id",
            "event_type__key",
            "channel",
            "status",
            "address",
            "subject",
            "body",
            "created_at",
            "sent_at",
        )  # fmt: skip
    )


def opted_out_channels(customer) -> set[str]:
    """The channels the customer said no to: recorded opt-outs and the customer record's own list."""
    recorded = ContactOptOut.objects.filter(customer=customer).values_list("channel", flat=True)
    return {*recorded, *(customer.opted_out_channels or [])}


def opt_outs_export(customer) -> list[dict]:
    """Data-subject export: the channels the customer opted out of, how and when."""
    rows = ContactOptOut.objects.filter(customer=customer).order_by("created_at", "pk")
    return list(rows.values("channel", "source", "created_at"))


def company_receiving_sms(number: str):
    """The active company whose SMS sender number is `number`, else the one a phone route gives it to."""
    e164 = try_normalise_phone(number)
    if e164 is None:
        return None
    company = (
        Company.objects.filter(twilio_from_number=e164, is_active=True)
        .exclude(schema_name=get_public_schema_name())
        .first()
    )
    if company is not None:
        return company
    route = company_for_number(e164)
    return route.company if route is not None else None
