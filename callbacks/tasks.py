"""Celery tasks: thin wrappers that run a service or a sweep in the schema they were sent for.

The periodic ones run per company: beat sends `common.fan_out` (see `callbacks.beat`), which sends one
of these per active company with that company's schema in the headers.
"""

from celery import shared_task

from callbacks import services, sweeps
from callbacks.models import CallbackRequest
from callbacks.services import pool


@shared_task(name="callbacks.auto_assign")
def auto_assign(callback_id: int, strategy: str | None = None) -> str:
    try:
        return services.callback_auto_assign(callback=callback_id, strategy=strategy).status
    except CallbackRequest.DoesNotExist:
        return "gone"  # removed between the commit and this task: nothing to assign


@shared_task(name="callbacks.warn_sla_approaching")
def warn_sla_approaching() -> int:
    return sweeps.warn_sla_approaching()


@shared_task(name="callbacks.escalate_overdue")
def escalate_overdue() -> int:
    return sweeps.escalate_overdue()


@shared_task(name="callbacks.assign_pending")
def assign_pending() -> int:
    return sweeps.assign_pending()


@shared_task(name="callbacks.hand_on_untouched")
def hand_on_untouched() -> int:
    return sweeps.hand_on_untouched()


@shared_task(name="callbacks.expire_stale")
def expire_stale() -> int:
    return sweeps.expire_stale()


@shared_task(name="callbacks.release_staff")
def release_staff(staff_id: int) -> int:
    """Return the open callbacks of someone who cannot hold them now (absent, inactive) to the pool."""
    return pool.staff_release(staff=staff_id)


@shared_task(name="callbacks.release_unavailable_staff")
def release_unavailable_staff() -> int:
    return pool.staff_release_sweep()
