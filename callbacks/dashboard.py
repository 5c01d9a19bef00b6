"""Dashboard and navigation-badge figures for the callback admin, cached per company and per viewer scope.

Cache: Django's cache (its keys carry the current schema, so one company never reads another's figures).
Each viewer scope (the whole company for admins, a set of branches for managers, one person for staff)
has its own entry, keyed with a per-company *version*. Every `callback.*` domain event bumps the version
once the change commits, which invalidates all scopes at once; the short timeout covers what changes
without an event (a callback becoming overdue as time passes). The admin pages poll `dashboard.json`
every 15 s, so new and changed callbacks show within 30 s.

Call `connect()` once at start-up (from `CallbacksConfig.ready()`).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from callbacks import selectors, visibility
from callbacks.assignment import with_open_load
from callbacks.chart import daily_chart
from callbacks.models import CallbackEscalation, CallbackRequest, overdue_q
from common.conf import current_company
from common.events import DomainEvent, subscribe
from common.phone import phone_display
from common.redis import unless_redis_failed
from org.roles import Role

VERSION_KEY = "callbacks:stats:version"
STATS_TIMEOUT = 30
CHART_DAYS = 30
LIST_LENGTH = 8
Status = CallbackRequest.Status
Priority = CallbackRequest.Priority
PRIORITIES = [Priority.URGENT, Priority.HIGH, Priority.NORMAL]


# --- invalidation --------------------------------------------------------------------------------------


def _bump_version(schema: str) -> None:
    with schema_context(schema):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, None)


def invalidate(event: DomainEvent | None = None) -> None:
    """Drop every cached figure of the current company once the current transaction commits.

    Robust: with Redis down or hung the change stays made and the caller is not told it failed; the figures
    are then stale for at most STATS_TIMEOUT."""
    schema = connection.schema_name

    def bump_dashboard_version() -> None:  # a named function: Django's robust hook logs its __qualname__
        unless_redis_failed("the dashboard's cache bump", lambda: _bump_version(schema))

    transaction.on_commit(bump_dashboard_version, robust=True)


def connect() -> None:
    """Subscribe to every callback event (idempotent)."""
    subscribe("callback.*", invalidate)


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def _scope(user) -> str:
    role = visibility.role_of(user)
    if role == Role.ADMIN:
        return "all"
    if role == Role.MANAGER:
        return "branches:" + ",".join(str(pk) for pk in sorted(visibility.branch_ids(user)))
    staff = visibility.staff_of(user)
    return f"staff:{staff.pk if staff else 'none'}"


def _cached(user, name: str, compute) -> Any:
    key = f"callbacks:stats:v{_version()}:{name}:{_scope(user)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, STATS_TIMEOUT)
    return value


# --- figures -------------------------------------------------------------------------------------------


def company_today_start(now: datetime) -> datetime:
    company = current_company()
    tz = timezone.get_default_timezone() if company is None else ZoneInfo(company.timezone)
    local = timezone.localtime(now, tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def sla_counts(prefix: str, since: datetime, now: datetime, extra: Q | None = None) -> dict[str, Count]:
    """Callbacks created since `since` whose outcome is known: met when the customer was reached (or the
    callback completed) before its deadline; breached when that did not happen by the deadline."""
    window = Q(created_at__gte=since, expires_at__isnull=False) & ~Q(status=Status.CANCELLED) & (extra or Q())
    reached = Q(contacted_at__isnull=False, contacted_at__lte=F("expires_at")) | Q(
        completed_at__isnull=False, completed_at__lte=F("expires_at")
    )
    decided = reached | Q(expires_at__lt=now)
    return {
        f"{prefix}_considered": Count("id", filter=window & decided),
        f"{prefix}_met": Count("id", filter=window & reached),
    }


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Tiles:
    open: int
    pending: int
    overdue: int
    unassignable: int
    escalations_open: int
    created_today: int
    completed_today: int
    completion_rate_7d: int | None
    sla_7d: int | None
    sla_30d: int | None
    open_by_priority: dict[str, int]
    overdue_by_priority: dict[str, int]
    sla_30d_by_priority: dict[str, int | None]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def compute_tiles(user, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    today = company_today_start(now)
    open_q = Q(status__in=CallbackRequest.OPEN_STATUSES)
    overdue = overdue_q(now)
    aggregates = {
        "pending": Count("id", filter=Q(status=Status.PENDING)),
        "overdue": Count("id", filter=overdue),
        "unassignable": Count("id", filter=Q(status=Status.PENDING, unassignable_since__isnull=False)),
        "created_today": Count("id", filter=Q(created_at__gte=today)),
        "completed_today": Count("id", filter=Q(completed_at__gte=today)),
        "created_7d": Count("id", filter=Q(created_at__gte=now - timedelta(days=7))),
        "completed_of_created_7d": Count(
            "id", filter=Q(created_at__gte=now - timedelta(days=7), status=Status.COMPLETED)
        ),
        **sla_counts("sla7", now - timedelta(days=7), now),
        **sla_counts("sla30", now - timedelta(days=30), now),
    }
    for priority in PRIORITIES:
        aggregates[f"open_{priority}"] = Count("id", filter=open_q & Q(priority=priority))
        aggregates[f"overdue_{priority}"] = Count("id", filter=overdue & Q(priority=priority))
        aggregates.update(
            sla_counts(f"sla30_{priority}", now - timedelta(days=30), now, Q(priority=priority))
        )
    row = visibility.visible_callbacks(user).aggregate(**aggregates)
    escalations_open = CallbackEscalation.objects.filter(
        resolved_at__isnull=True, callback__in=visibility.visible_callbacks(user).open()
    ).count()
    return Tiles(
        open=selectors.open_count(user),
        pending=row["pending"],
        overdue=row["overdue"],
        unassignable=row["unassignable"],
        escalations_open=escalations_open,
        created_today=row["created_today"],
        completed_today=row["completed_today"],
        completion_rate_7d=_rate(row["completed_of_created_7d"], row["created_7d"]),
        sla_7d=_rate(row["sla7_met"], row["sla7_considered"]),
        sla_30d=_rate(row["sla30_met"], row["sla30_considered"]),
        open_by_priority={p: row[f"open_{p}"] for p in PRIORITIES},
        overdue_by_priority={p: row[f"overdue_{p}"] for p in PRIORITIES},
        sla_30d_by_priority={
            p: _rate(row[f"sla30_{p}_met"], row[f"sla30_{p}_considered"]) for p in PRIORITIES
        },
    ).as_dict()


def compute_daily(user, now: datetime | None = None) -> list[dict[str, Any]]:
    """Created, assigned and completed per day over the last 30 days (company timezone)."""
    now = now or timezone.now()
    start = company_today_start(now) - timedelta(days=CHART_DAYS - 1)
    tz = start.tzinfo
    base = visibility.visible_callbacks(user)
    days = {
        (start + timedelta(days=i)).date(): {"created": 0, "assigned": 0, "completed": 0}
        for i in range(CHART_DAYS)
    }
    for field, label in (
        ("created_at", "created"),
        ("assigned_at", "assigned"),
        ("completed_at", "completed"),
    ):
        rows = (
            base.filter(**{f"{field}__gte": start})
            .annotate(day=TruncDate(field, tzinfo=tz))
            .values("day")
            .annotate(n=Count("id"))
        )
        for row in rows:
            if row["day"] in days:
                days[row["day"]][label] = row["n"]
    return [{"day": day.isoformat(), **counts} for day, counts in days.items()]


def compute_staff_load(user) -> list[dict[str, Any]]:
    rows = (
        with_open_load(visibility.visible_staff(user).filter(is_active=True))
        .order_by("-open_load", "name")
        .values("pk", "name", "max_open_callbacks", open=F("open_load"))
    )
    return [dict(row) for row in rows]


def compute_by_branch(user, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open (`selectors.open_by_branch`, as the tile), overdue and completed-today callbacks per branch."""
    now = now or timezone.now()
    today = company_today_start(now)
    open_counts = selectors.open_by_branch(user)
    rows = (
        visibility.visible_callbacks(user)
        .values("branch", "branch__name")
        .annotate(
            overdue=Count("id", filter=overdue_q(now)),
            completed_today=Count("id", filter=Q(completed_at__gte=today)),
        )
        .order_by("branch__name")
    )
    table = [
        {
            "branch_id": row["branch"],
            "name": row["branch__name"],
            "open": open_counts.get(row["branch"], 0),
            "overdue": row["overdue"],
            "completed_today": row["completed_today"],
        }
        for row in rows
    ]
    return [row for row in table if row["open"] or row["completed_today"]]


def escalations_to_review(user) -> list[dict[str, Any]]:
    """Open escalations of callbacks the user may see, newest first (managers and admins)."""
    if not visibility.is_manager(user):
        return []
    rows = (
        CallbackEscalation.objects.filter(resolved_at__isnull=True, callback__deleted_at__isnull=True)
        .filter(callback__in=visibility.visible_callbacks(user).open())
        .select_related("callback", "to_staff")
        .order_by("-escalated_at", "-id")[:LIST_LENGTH]
    )
    return [
        {
            "escalation_id": row.pk,
            "callback_id": row.callback_id,
            "customer": row.callback.customer_name or str(row.callback.phone) or row.callback.customer_email,
            "reason": row.get_reason_display(),
            "level": row.level,
            "to_staff": row.to_staff.name if row.to_staff else "",
            "escalated_at": row.escalated_at,
            "expires_at": row.callback.expires_at,
        }
        for row in rows
    ]


def my_callbacks_due_next(user) -> list[dict[str, Any]]:
    staff = visibility.staff_of(user)
    if staff is None:
        return []
    rows = (
        CallbackRequest.objects.open()
        .filter(assigned_to=staff)
        .select_related("branch")
        .order_by(F("expires_at").asc(nulls_last=True), "id")[:LIST_LENGTH]
    )
    return [
        {
            "callback_id": row.pk,
            "customer": row.customer_name or phone_display(row.phone) or row.customer_email,
            "phone": str(row.phone),
            "priority": row.priority,
            "priority_label": row.get_priority_display(),
            "expires_at": row.expires_at,
            "overdue": row.is_overdue,
        }
        for row in rows
    ]


# --- cached entry points -------------------------------------------------------------------------------


def tiles(user) -> dict[str, Any]:
    return _cached(user, "tiles", partial(compute_tiles, user))


def daily(user) -> list[dict[str, Any]]:
    return _cached(user, "daily", partial(compute_daily, user))


def staff_load(user) -> list[dict[str, Any]]:
    return _cached(user, "load", partial(compute_staff_load, user))


def by_branch(user) -> list[dict[str, Any]]:
    return _cached(user, "branches", partial(compute_by_branch, user))


def badge_counts(user) -> dict[str, int]:
    figures = tiles(user)
    keys = ("open", "overdue", "pending", "escalations_open")
    return {key: figures[key] for key in keys}


def fingerprint(user) -> str:
    """Changes whenever the user's figures or any callback of the company change (polled by the pages)."""
    figures = tiles(user)
    digest = hashlib.sha1(json.dumps(figures, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{_version()}-{digest}"


# --- navigation badges (UNFOLD["SIDEBAR"] badge callbacks) ---------------------------------------------


def _badge(request, key: str) -> str:
    """One of the sidebar's three badges; the figures are read once a request for all three."""
    if current_company() is None or visibility.role_of(request.user) is None:
        return ""
    if not hasattr(request, "_nav_badges"):
        request._nav_badges = badge_counts(request.user)
    return str(request._nav_badges[key])


def nav_badge_open(request) -> str:
    return _badge(request, "open")


def nav_badge_overdue(request) -> str:
    return _badge(request, "overdue")


def nav_badge_escalations(request) -> str:
    return _badge(request, "escalations_open")


# --- the admin index ----------------------------------------------------------------------------------


def dashboard_callback(request, context: dict[str, Any]) -> dict[str, Any]:
    """UNFOLD["DASHBOARD_CALLBACK"]: the figures for the admin index of a company's host."""
    if current_company() is None or visibility.role_of(request.user) is None:
        return context
    user = request.user
    load = staff_load(user)
    peak = max((row["max_open_callbacks"] for row in load), default=0) or 1
    context["title"] = _("Dashboard")
    context["dashboard"] = {
        "tiles": tiles(user),
        "priorities": [(p.value, p.label) for p in PRIORITIES],
        "chart": daily_chart(daily(user)),
        "staff_load": [{**row, "pct": min(100, round(100 * row["open"] / peak))} for row in load],
        "is_manager": visibility.is_manager(user),
        "by_branch": by_branch(user),
        "escalations": escalations_to_review(user),
        "due_next": my_callbacks_due_next(user),
        "fingerprint": fingerprint(user),
    }
    return context
