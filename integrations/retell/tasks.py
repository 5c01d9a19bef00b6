"""Celery tasks for Retell call events: thin, they load ids and call the services."""

from celery import shared_task

from common.unavailable import DATABASE_RETRY
from integrations.retell import reconcile, services

SWEEP_TASK = "retell.sweep_stuck_events"
RECONCILE_TASK = "retell.reconcile_calls"


@shared_task(name="retell.process_call_event", **DATABASE_RETRY)
def process_call_event(event_id: int) -> str:
    """Runs in the company schema pinned by `enqueue_on_commit`. A dead database retries it within
    seconds (DATABASE_RETRY); the sweep is the net for a lost message, not for a database restart."""
    stored = services.retell_event_process(event_id=event_id)
    return stored.status if stored is not None else "skipped"


@shared_task(name=SWEEP_TASK)
def sweep_stuck_events() -> int:
    """One company's stuck events; beat fans it out with `common.tasks.per_company(SWEEP_TASK, 300)`."""
    return services.retell_events_sweep()


@shared_task(name=RECONCILE_TASK)
def reconcile_calls() -> int:
    """One company's calls against Retell's own list; beat fans it out (integrations/beat.py)."""
    return reconcile.retell_reconcile()
