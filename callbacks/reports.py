"""Figures for the managers' emails (`notifications.reports` sends them): yesterday's callbacks and what is
overdue now (daily), and deadlines met per branch over the last seven days (weekly). Everything is scoped
to the callbacks the manager sees (`callbacks.visibility`), and "met" is the dashboard's rule
(`dashboard.sla_counts`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q

from callbacks import selectors, visibility
from callbacks.dashboard import company_today_start, sla_counts
from callbacks.models import CallbackEscalation, overdue_q

OVERDUE_LISTED = 20


@dataclass(frozen=True)
class DailyFigures:
    day: datetime
    created: int
    completed: int
    deadlines_considered: int
    deadlines_met: int
    open_now: int
    escalations_open: int
    overdue_count: int
    overdue_now: list[dict[str, Any]]


def daily_figures(user, now: datetime) -> DailyFigures:
    """Yesterday (the company's local day before `now`) and what is overdue at `now`."""
    today = company_today_start(now)
    yesterday = today - timedelta(days=1)
    mine = visibility.visible_callbacks(user)
    on_the_day = Q(created_at__gte=yesterday, created_at__lt=today)
    row = mine.aggregate(
        created=Count("id", filter=on_the_day),
        completed=Count("id", filter=Q(completed_at__gte=yesterday, completed_at__lt=today)),
        **sla_counts("sla", yesterday, today, Q(created_at__lt=today)),
    )
    overdue_all = mine.filter(overdue_q(now))
    overdue = overdue_all.select_related("branch", "assigned_to").order_by(F("expires_at").asc(), "id")[
        :OVERDUE_LISTED
    ]
    return DailyFigures(
        day=yesterday,
        created=row["created"],
        completed=row["completed"],
        deadlines_considered=row["sla_considered"],
        deadlines_met=row["sla_met"],
        open_now=selectors.open_count(user),
        escalations_open=CallbackEscalation.objects.filter(
            resolved_at__isnull=True, callback__in=selectors.open_callbacks(user)
        ).count(),
        overdue_count=overdue_all.count(),
        overdue_now=[
            {
                "id": callback.pk,
                "customer": callback.customer_name or str(callback.phone or callback.customer_email),
                "branch": callback.branch.name,
                "assigned_to": callback.assigned_to.name if callback.assigned_to_id else "",
                "expires_at": callback.expires_at,
            }
            for callback in overdue
        ],
    )


def weekly_sla(user, now: datetime) -> list[dict[str, Any]]:
    """Per branch the manager sees: callbacks of the last seven whole days whose deadline outcome is known,
    how many were reached in time, and the rate (None without any)."""
    today = company_today_start(now)
    start = today - timedelta(days=7)
    rows = (
        visibility.visible_callbacks(user)
        .values("branch__name")
        .annotate(**sla_counts("sla", start, today, Q(created_at__lt=today)))
        .order_by("branch__name")
    )
    return [
        {
            "branch": row["branch__name"],
            "considered": row["sla_considered"],
            "met": row["sla_met"],
            "rate": round(100 * row["sla_met"] / row["sla_considered"]) if row["sla_considered"] else None,
        }
        for row in rows
    ]
