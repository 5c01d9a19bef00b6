"""Celery discovers tasks per app; the Retell event tasks live with their integration."""

from integrations.retell.tasks import process_call_event, sweep_stuck_events

__all__ = ["process_call_event", "sweep_stuck_events"]
