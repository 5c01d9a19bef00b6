"""Thin tasks: load, call a service."""

from celery import shared_task

from appointments.models import Appointment
from appointments.services import appointment_push_cancel_to_calcom


@shared_task(name="appointments.push_cancel", bind=True, max_retries=5)
def appointment_push_cancel(self, appointment_id: int) -> bool:
    """Tell Cal.com about a cancellation made while it was unreachable, backing off up to ~30 minutes."""
    related = ("customer", "service", "branch", "staff")
    appointment = Appointment.objects.select_related(*related).get(pk=appointment_id)
    final = self.request.retries >= self.max_retries
    if not appointment_push_cancel_to_calcom(appointment=appointment, final_attempt=final):
        raise self.retry(countdown=60 * 2**self.request.retries)
    return True


@shared_task(name="appointments.expire_slot_holds")
def expire_slot_holds() -> int:
    from appointments.services import slot_holds_expire

    return slot_holds_expire()


@shared_task(name="appointments.push_pending_cancels")
def push_pending_cancels() -> int:
    """One company's cancellations whose push task was lost; beat fans it out (appointments/beat.py)."""
    from appointments.services import appointments_push_pending_cancels

    return appointments_push_pending_cancels()
