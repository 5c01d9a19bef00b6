"""The periodic work over one company's callbacks (the connection is already in its schema).

Each sweep selects ids, then handles every callback in its own transaction through a service that
re-checks the condition under the row lock. One callback's failure is logged and the sweep goes on.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from callbacks import conf, services, sla
from callbacks.models import CallbackEscalation, CallbackRequest
from org.models import Branch

logger = logging.getLogger(__name__)

Status = CallbackRequest.Status


def _each(ids: Iterable[int], action: Callable[[int], object], what: str) -> int:
    handled = 0
    for pk in list(ids):
        try:
            action(pk)
        except Exception:
            logger.exception("callback sweep %s failed for callback %s", what, pk)
        else:
            handled += 1
    return handled


def _while_open(callbacks: QuerySet[CallbackRequest], now: datetime) -> QuerySet[CallbackRequest]:
    """Only callbacks whose branch is open now: warnings and escalations wait for the opening."""
    branches = Branch.objects.filter(pk__in=callbacks.values("branch_id")).prefetch_related(
        "opening_hours", "closures"
    )
    open_ids = [branch.pk for branch in branches if sla.is_open_time(now, branch.weekly_hours())]
    return callbacks.filter(branch_id__in=open_ids)


def warn_sla_approaching() -> int:
    """Open callbacks due within the warning lead, once per deadline, while their branch is open."""
    now = timezone.now()
    due_soon = CallbackRequest.objects.open().filter(
        sla_warned_at__isnull=True, expires_at__gte=now, expires_at__lte=now + conf.sla_warning_lead()
    )
    ids = _while_open(due_soon, now).values_list("pk", flat=True)
    return _each(ids, lambda pk: services.callback_warn_sla_approaching(callback=pk), "sla_approaching")


def escalate_overdue() -> int:
    """Overdue open callbacks, at most once per cooldown each, up the escalation ladder, while their branch
    is open (one that fell due at closing is escalated at the next opening)."""
    now = timezone.now()
    cooled_down = Q(last_escalated_at__isnull=True) | Q(
        last_escalated_at__lte=now - conf.escalation_cooldown()
    )
    overdue = CallbackRequest.objects.overdue(now).filter(cooled_down)
    ids = _while_open(overdue, now).values_list("pk", flat=True)
    return _each(ids, _escalate_if_still_overdue, "escalate_overdue")


def _escalate_if_still_overdue(pk: int) -> None:
    services.callback_escalate_if_overdue(callback=pk, reason=CallbackEscalation.Reason.SLA_BREACH)


def assign_pending() -> int:
    """Pending callbacks that may have become assignable (staff came on duty, capacity freed)."""
    ids = (
        CallbackRequest.objects.filter(status=Status.PENDING)
        .order_by(services.PRIORITY_ORDER, "created_at", "pk")
        .values_list("pk", flat=True)
    )
    return _each(ids, lambda pk: services.callback_auto_assign(callback=pk), "assign_pending")


def hand_on_untouched() -> int:
    """Assigned callbacks whose assignee has not tried to call within their share of the SLA budget."""
    ids = CallbackRequest.objects.filter(
        status=Status.ASSIGNED, reassign_due_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return _each(ids, lambda pk: services.callback_hand_on_if_untouched(callback=pk), "hand_on_untouched")


def expire_stale() -> int:
    """Open callbacks overdue by more than the grace period become `expired`."""
    ids = CallbackRequest.objects.overdue(timezone.now() - conf.expiry_grace()).values_list("pk", flat=True)
    return _each(ids, lambda pk: services.callback_expire(callback=pk), "expire")
