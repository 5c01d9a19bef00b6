"""The demo's last 30 days (seed_demo): calls, callbacks and appointments, so the dashboard's chart, the
reports and the lists show a company that has been working for a month.

Everything is relative to `now` (passed in: tests fix it) and drawn from a random generator seeded with the
company's slug, so the same `now` always gives the same history. Rows are written in bulk (a few hundred,
well under a second) and their timestamps set afterwards, since `created_at` fields take the current
time on insert. What happened to them is written as the services would have left it: a completed callback
has its assignee and times, an escalated one its escalation, a late cancellation its fee.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import Case, Value, When

from appointments.models import Appointment
from callbacks.models import CallbackEscalation, CallbackRequest
from calls.models import Call
from calls.services import call_cost_convert
from common.messages import message
from org.models import Branch, Customer, Service, Staff
from policies.models import ActorType, AppointmentModification, ModificationType
from policies.services import policy_snapshot_for

DAYS = 30
CALL_PREFIX = "call_demo_"  # the history's calls; their presence means the history is seeded
Status = CallbackRequest.Status
NOTES = ("Rückfrage zur Rechnung", "Möchte Termin verschieben", "Befund besprechen", "Rezept abholen", "")
SUMMARIES = {
    "callback": "Der Anrufer bittet um Rückruf.",
    "booked": "Der Anrufer hat einen Termin gebucht.",
    "cancelled": "Der Anrufer hat seinen Termin abgesagt.",
    "question": "Der Anrufer hat eine Frage zu den Öffnungszeiten gestellt.",
}


@dataclass
class History:
    calls: int = 0
    callbacks: int = 0
    appointments: int = 0
    cancellations: int = 0


@dataclass
class Company:
    """What the history is drawn from: one demo company's branches, services, staff and customers."""

    slug: str
    number: str
    branches: list[Branch]
    services: list[Service]
    staff: list[Staff]
    customers: list[Customer]

    @cached_property
    def staff_at(self) -> dict[Branch, list[Staff]]:
        """Who works at each branch, in the company's order; a branch nobody works at is left out."""
        at = {branch: [s for s in self.staff if branch in s.branches.all()] for branch in self.branches}
        return {branch: people for branch, people in at.items() if people}

    def working_at(self, rng: random.Random) -> tuple[Branch, Staff]:
        """A branch and someone who works there (the history never has a person at a branch not theirs)."""
        branch = rng.choice(list(self.staff_at))
        return branch, rng.choice(self.staff_at[branch])


def history_seeded() -> bool:
    return Call.objects.filter(retell_call_id__startswith=CALL_PREFIX).exists()


def history_seed(company: Company, *, now: datetime) -> History:
    """Write the current company's last `DAYS` days before `now` (nothing when they are there already)."""
    if history_seeded():
        return History()
    rng = random.Random(f"switchboard-demo-{company.slug}")
    calls: list[tuple[Call, datetime]] = []
    callbacks: list[tuple[CallbackRequest, datetime]] = []
    appointments: list[tuple[Appointment, datetime]] = []
    for days_ago in range(DAYS, 0, -1):
        day = now - timedelta(days=days_ago)
        busy = 2 if day.weekday() >= 5 else rng.randint(4, 9)
        for index in range(busy):
            at = _office_time(rng, day)
            customer = rng.choice(company.customers)
            outcome = rng.choices(list(SUMMARIES), weights=(4, 3, 1, 2))[0]
            call = _call(company, customer, at, outcome, f"{CALL_PREFIX}{at:%Y%m%d}_{index}", rng)
            calls.append((call, at))
            if outcome == "callback":
                callbacks.append((_callback(company, customer, at, now, rng), at))
            elif outcome in ("booked", "cancelled"):
                appointments.append((_appointment(company, customer, at, now, rng), at))
    _bulk(Call, calls)
    _bulk(CallbackRequest, callbacks)
    _with_policies([appointment for appointment, _at in appointments])
    _bulk(Appointment, appointments)
    _escalations([callback for callback, _at in callbacks if callback.escalation_level])
    cancelled = [(appointment, at) for appointment, at in appointments if appointment.status == "cancelled"]
    cancellations = _cancellations(cancelled, now, rng)
    return History(len(calls), len(callbacks), len(appointments), cancellations)


def _office_time(rng: random.Random, day: datetime) -> datetime:
    opening = day.replace(hour=7, minute=0, second=0, microsecond=0)  # UTC: 08:00 or 09:00 in Berlin
    return opening + timedelta(minutes=rng.randrange(0, 9 * 60, 7))


def _call(
    company: Company, customer: Customer, at: datetime, outcome: str, call_id: str, rng: random.Random
) -> Call:
    seconds = rng.randint(45, 300)
    call = Call(
        retell_call_id=call_id,
        agent_id="agent_demo",
        direction=Call.Direction.INBOUND,
        from_number=str(customer.phone),
        to_number=company.number,
        status="ended",
        stage=Call.Stage.ANALYZED,
        started_at=at,
        ended_at=at + timedelta(seconds=seconds),
        duration_ms=seconds * 1000,
        disconnection_reason="user_hangup",
        transcript=f"Agent: Guten Tag, was kann ich für Sie tun?\nUser: {SUMMARIES[outcome]}\n",
        summary=SUMMARIES[outcome],
        sentiment=rng.choice(("Positive", "Neutral", "Neutral", "Negative")),
        successful=outcome != "question" or rng.random() < 0.8,
        in_voicemail=False,
        cost_cents=Decimal(seconds) * Decimal("0.12"),
        cost_currency="USD",
        branch=rng.choice(company.branches),
        customer=customer,
    )
    call_cost_convert(call)
    return call


def _callback(
    company: Company, customer: Customer, at: datetime, now: datetime, rng: random.Random
) -> CallbackRequest:
    """Mostly completed within the deadline; some late, some expired, a few escalated first."""
    priority = rng.choices(list(CallbackRequest.Priority), weights=(7, 2, 1))[0]
    deadline = at + timedelta(hours={"normal": 24, "high": 4, "urgent": 2}[priority])
    branch, staff = company.working_at(rng)
    callback = CallbackRequest(
        customer=customer,
        customer_name=customer.name,
        phone=customer.phone,
        branch=branch,
        service=rng.choice(company.services),
        priority=priority,
        notes=rng.choice(NOTES),
        source=CallbackRequest.Source.PHONE_AGENT,
        expires_at=deadline,
        assigned_to=staff,
        assigned_at=at + timedelta(minutes=rng.randint(1, 30)),
        assignment_reason=message("least_loaded_in_branch", eligible=2, branch=branch.name, count=1),
    )
    fate = rng.choices(("completed", "late", "expired", "escalated"), weights=(14, 3, 2, 2))[0]
    if fate == "escalated":
        callback.escalation_level, callback.last_escalated_at = 1, deadline
    if fate == "expired":
        callback.status, callback.expired_at = Status.EXPIRED, min(deadline + timedelta(days=7), now)
        callback.failed_attempts_count = callback.contact_attempts_count = 3
        return callback
    took = (deadline - at) * rng.uniform(0.1, 0.9)
    if fate in ("late", "escalated"):
        took = (deadline - at) + timedelta(hours=rng.uniform(1, 20))
    done = min(at + took, now - timedelta(minutes=5))
    callback.status, callback.contacted_at, callback.completed_at = Status.COMPLETED, done, done
    callback.contact_attempts_count = 1 + (fate != "completed")
    return callback


def _appointment(
    company: Company, customer: Customer, at: datetime, now: datetime, rng: random.Random
) -> Appointment:
    """Booked on a call: some in the past (completed, a few no-shows), some still ahead; a share cancelled."""
    service = rng.choice(company.services)
    starts = (at + timedelta(days=rng.randint(1, 14))).replace(minute=rng.choice((0, 30)), second=0)
    status = Appointment.Status.SCHEDULED
    branch, staff = company.working_at(rng)
    if starts < now:
        status = rng.choices((Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW), weights=(9, 1))[0]
    if rng.random() < 0.2 and at + timedelta(hours=1) < min(starts, now):
        status = Appointment.Status.CANCELLED
    return Appointment(
        customer=customer,
        service=service,
        staff=staff,
        branch=branch,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=service.duration_minutes),
        status=status,
        source=Appointment.Source.PHONE_AGENT,
        calcom_booking_uid=f"demo-{company.slug}-{at:%Y%m%d%H%M}-{rng.randrange(10**6):06d}",
        price=service.price,
        sync_state=Appointment.SyncState.SYNCED,
    )


def _with_policies(appointments: list[Appointment]) -> None:
    """The policies in force, as booking stores them (a cancellation is judged by them)."""
    snapshots: dict[tuple[int, int], dict[str, Any]] = {}
    for appointment in appointments:
        key = (appointment.branch.pk, appointment.service.pk)
        if key not in snapshots:
            snapshots[key] = policy_snapshot_for(branch=appointment.branch, service=appointment.service)
        appointment.policy_snapshot = snapshots[key]


def _bulk(model: type[models.Model], rows: list[tuple[Any, datetime]]) -> None:
    """Insert, then give each row its time (`created_at` takes the current time on insert)."""
    if not rows:
        return
    model.objects.bulk_create([row for row, _at in rows], batch_size=500)  # sets each row's pk
    model.objects.filter(pk__in=[row.pk for row, _at in rows]).update(
        created_at=Case(*[When(pk=row.pk, then=Value(at)) for row, at in rows])
    )


def _escalations(callbacks: list[CallbackRequest]) -> None:
    CallbackEscalation.objects.bulk_create(
        CallbackEscalation(
            callback=callback,
            reason=CallbackEscalation.Reason.SLA_BREACH,
            level=1,
            from_staff=callback.assigned_to,
            escalated_at=callback.last_escalated_at,
            resolved_at=callback.completed_at,
        )
        for callback in callbacks
    )


def _cancellations(
    appointments: list[tuple[Appointment, datetime]], now: datetime, rng: random.Random
) -> int:
    """Each cancellation, between booking and start (and before `now`), with the demo's tiered fee
    (seed_demo's policy): free from 48 h notice, 10 EUR from 24 h, 25 EUR below; a few fees waived."""
    changes = []
    for appointment, booked_at in appointments:
        latest = min(appointment.starts_at - timedelta(hours=1), now)
        when = booked_at + (latest - booked_at) * rng.uniform(0.2, 1.0)
        notice_hours = int((appointment.starts_at - when).total_seconds() // 3600)
        fee = Decimal("25.00") if notice_hours < 24 else Decimal("10.00") if notice_hours < 48 else Decimal(0)
        changes.append(
            AppointmentModification(
                appointment=appointment,
                customer=appointment.customer,
                modification_type=ModificationType.CANCEL,
                fee_amount=fee,
                waived=bool(fee) and rng.random() < 0.2,
                reason=rng.choice(("Krank", "Terminkonflikt", "Kein Bedarf mehr")),
                decision_code="allowed",
                hours_notice=Decimal(notice_hours),
                previous_starts_at=appointment.starts_at,
                actor_type=ActorType.PHONE_AGENT,
                created_at=when,
            )
        )
    AppointmentModification.objects.bulk_create(changes)
    return len(changes)
