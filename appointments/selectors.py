"""Reads: which event type books what, when a customer is busy, and which slots can be offered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.availability import (
    ANY_TIME,
    AlternativeRules,
    Interval,
    TimeWish,
    bookable,
    check_search_range,
    local_day_bounds,
    rank_alternatives,
)
from appointments.models import Appointment, EventTypeMapping
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from integrations.calcom.types import Slot
from org.models import Branch, Customer, Service, Staff

NO_EVENT_TYPE = _(
    "%(service)s has no Cal.com event type at %(branch)s yet; map one under Appointments → Event types."
)


@dataclass(frozen=True)
class EventTypeOwner:
    """What a Cal.com event type books here; `branch` is None when no branch can be told for sure."""

    service: Service
    staff: Staff | None
    branch: Branch | None


def appointment_for_request(idempotency_key: str | None) -> Appointment | None:
    """The appointment a booking request with this key already made (any door: API, admin, agent)."""
    if not idempotency_key:
        return None
    return Appointment.objects.filter(idempotency_key=idempotency_key).first()


def event_type_for(*, service: Service, branch: Branch, staff: Staff | None = None) -> int:
    """The event type that books `service` at `branch`: the staff member's own mapping there, else the
    branch's default mapping, else the service's own field (one calendar for every branch offering it)."""
    mappings = {
        m.staff_id: m.event_type_id for m in EventTypeMapping.objects.filter(service=service, branch=branch)
    }
    if staff is not None and staff.pk in mappings:
        return mappings[staff.pk]
    event_type_id = mappings.get(None) or service.calcom_event_type_id
    if event_type_id is None:
        raise ValidationError({"service": NO_EVENT_TYPE % {"service": service, "branch": branch}})
    return int(event_type_id)


def owner_of_event_type(event_type_id: int) -> EventTypeOwner | None:
    """The branch, service (and staff member) an event type books in this company, or None.

    A mapping names its branch. The service's own field names one only when the service is offered at
    exactly one active branch; otherwise the branch stays None (never guessed).
    """
    mapping = (
        EventTypeMapping.objects.select_related("branch", "service", "staff")
        .filter(event_type_id=event_type_id)
        .first()
    )
    if mapping is not None:
        return EventTypeOwner(mapping.service, mapping.staff, mapping.branch)
    services = list(Service.objects.filter(calcom_event_type_id=event_type_id)[:2])
    if len(services) != 1:
        return None
    offering = list(services[0].branches.filter(is_active=True)[:2])
    return EventTypeOwner(services[0], None, offering[0] if len(offering) == 1 else None)


def services_without_event_type() -> list[Service]:
    """Active services that some active branch offers without a default event type there."""
    unmapped = []
    services = Service.objects.filter(is_active=True, calcom_event_type_id__isnull=True)
    for service in services.prefetch_related("branches", "event_type_mappings"):
        mapped = {m.branch_id for m in service.event_type_mappings.all() if m.staff_id is None}
        if any(b.is_active and b.pk not in mapped for b in service.branches.all()):
            unmapped.append(service)
    return unmapped


def customer_busy(
    *, customer: Customer | None, start: datetime, end: datetime, exclude: Appointment | None = None
) -> list[Interval]:
    """The customer's own active appointments touching [start, end): never offered over them."""
    if customer is None or customer.pk is None:
        return []
    rows = Appointment.objects.active().filter(customer=customer, starts_at__lt=end, ends_at__gt=start)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return list(rows.values_list("starts_at", "ends_at"))


@dataclass(frozen=True)
class SlotQuery:
    """Everything that decides which slots can be offered for one booking wish."""

    service: Service
    branch: Branch
    staff: Staff | None = None
    customer: Customer | None = None
    exclude: Appointment | None = None  # the appointment being moved does not block its own new time

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.service.duration_minutes)

    def free_slots(self, start: datetime, end: datetime, wish: TimeWish, client: CalcomClient) -> list[Slot]:
        hours = self.branch.weekly_hours()
        slots = client.slots(
            event_type_id=event_type_for(service=self.service, branch=self.branch, staff=self.staff),
            start=start,
            end=end,
            time_zone=self.branch.timezone,
        )
        busy = customer_busy(
            customer=self.customer, start=start, end=end + self.duration, exclude=self.exclude
        )
        return bookable(slots, hours=hours, duration=self.duration, busy=busy, wish=wish, now=timezone.now())


def availability_search(
    query: SlotQuery,
    *,
    first_day: date,
    last_day: date,
    wish: TimeWish = ANY_TIME,
    client: CalcomClient | None = None,
) -> list[Slot]:
    """Bookable slots between two local days (inclusive) of the branch, at the wished time of day."""
    hours = query.branch.weekly_hours()
    check_search_range(first_day, last_day, today=timezone.now().astimezone(hours.tz).date())
    start, end = local_day_bounds(first_day, last_day, hours)
    return query.free_slots(start, end, wish, client or calcom_client_for_current_company())


def next_free_slot(
    query: SlotQuery, *, wish: TimeWish = ANY_TIME, days: int = 14, client: CalcomClient | None = None
) -> Slot | None:
    today = timezone.now().astimezone(query.branch.tzinfo).date()
    slots = availability_search(
        query, first_day=today, last_day=today + timedelta(days=days), wish=wish, client=client
    )
    return slots[0] if slots else None


def slot_is_free(query: SlotQuery, *, start: datetime, client: CalcomClient | None = None) -> bool:
    """Is exactly this start bookable right now (Cal.com free, inside hours, customer not busy)?"""
    local_day = start.astimezone(query.branch.tzinfo).date()
    day_start, day_end = local_day_bounds(local_day, local_day, query.branch.weekly_hours())
    slots = query.free_slots(day_start, day_end, ANY_TIME, client or calcom_client_for_current_company())
    return any(slot.start == start for slot in slots)


def alternatives_for(
    query: SlotQuery,
    *,
    wanted: datetime,
    rules: AlternativeRules | None = None,
    client: CalcomClient | None = None,
) -> list[Slot]:
    """Offers for a wished time that is taken (see `availability.rank_alternatives` for the order)."""
    rules = rules or AlternativeRules.for_company()
    hours = query.branch.weekly_hours()
    first_day = max(wanted.astimezone(hours.tz).date(), timezone.now().astimezone(hours.tz).date())
    last_day = wanted.astimezone(hours.tz).date() + timedelta(days=rules.next_free_days)
    start, end = local_day_bounds(first_day, last_day, hours)
    candidates = query.free_slots(start, end, ANY_TIME, client or calcom_client_for_current_company())
    return rank_alternatives(candidates, wanted=wanted, hours=hours, rules=rules)


def appointments_of_day(*, branch: Branch, day: date) -> list[Appointment]:
    """One branch's appointments on one local day (the admin's day view), in one query."""
    start, end = local_day_bounds(day, day, branch.weekly_hours())
    return list(
        Appointment.objects.filter(branch=branch, starts_at__lt=end, ends_at__gt=start)
        .exclude(Q(status=Appointment.Status.CANCELLED))
        .select_related("customer", "service", "staff")
        .order_by("starts_at", "id")
    )


def cancellations_not_in_calcom(*, changed_before: datetime) -> QuerySet[Appointment]:
    """Cancelled here while Cal.com was unreachable and Cal.com not told yet, oldest change first."""
    return Appointment.objects.filter(
        status=Appointment.Status.CANCELLED,
        sync_state=Appointment.SyncState.PENDING,
        updated_at__lt=changed_before,
    ).order_by("updated_at", "id")
