"""Reminders for every appointment: planned, moved with it, dropped with it, never in the past."""

from django.utils import timezone

from notifications import conf, selectors
from notifications.context import Subject
from notifications.models import NotificationDelivery
from notifications.services.planning import (
    APPOINTMENT_CANCELLED,
    APPOINTMENT_MOVED,
    Planned,
    plan_for_recipients,
)

Status = NotificationDelivery.Status


def reminders_plan(*, appointment) -> list[NotificationDelivery]:
    """Make queued reminders match the appointment: drop stale ones, add missing ones, none in the past."""
    if not appointment.is_active:
        reminders_drop(appointment=appointment, reason=str(APPOINTMENT_CANCELLED))
        return []
    _drop_reminders(appointment, exclude_starts_at=appointment.starts_at, reason=str(APPOINTMENT_MOVED))
    event_type = selectors.active_event_type("appointment.reminder")
    if event_type is None:
        return []
    now = timezone.now()
    subject = Subject(appointment=appointment)
    rows = []
    for offset in conf.reminder_offsets():
        send_at = appointment.starts_at - offset
        if send_at <= now:
            continue  # never in the past: a reminder whose moment has gone is not sent late
        minutes = int(offset.total_seconds() // 60)
        plan = Planned(
            event_type=event_type,
            subject=subject,
            not_before=send_at,
            appointment_starts_at=appointment.starts_at,
            reminder_offset_minutes=minutes,
        )
        prefix = f"reminder:{appointment.pk}:{appointment.starts_at.isoformat()}:{minutes}"
        rows += plan_for_recipients(plan, dedupe_prefix=prefix)
    return rows


def reminders_drop(*, appointment, reason: str) -> int:
    return _drop_reminders(appointment, exclude_starts_at=None, reason=reason)


def _drop_reminders(appointment, *, exclude_starts_at, reason: str) -> int:
    stale = NotificationDelivery.objects.filter(
        appointment=appointment, reminder_offset_minutes__isnull=False
    )
    if exclude_starts_at is not None:
        stale = stale.exclude(appointment_starts_at=exclude_starts_at)
    # Rows that were never sent give their dedupe key back, so moving the appointment back to this time
    # plans these reminders again; sent ones keep theirs and are never repeated.
    stale.filter(status=Status.SKIPPED).update(dedupe_key=None)
    return stale.filter(status=Status.QUEUED).update(status=Status.CANCELLED, reason=reason, dedupe_key=None)
