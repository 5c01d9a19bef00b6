"""Reads the phone agent needs, always inside the caller's company schema (the connection is on it)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from common.conf import current_company
from common.phone import try_normalise_phone
from common.redis import cached
from org.models import Branch, Customer, OpeningHours, Service

OPEN_CALLBACK_STATUSES = (
    CallbackRequest.Status.PENDING,
    CallbackRequest.Status.ASSIGNED,
    CallbackRequest.Status.CONTACTED,
)


# Every inbound call and many in-call functions need them; any change to a branch, its hours, closures or
# services drops them (integrations.handlers.branch_directory_forget_on_commit). The minute bounds a change
# a failing Redis could not drop.
BRANCH_DIRECTORY_KEY = "retell:branch-directory"
BRANCH_DIRECTORY_SECONDS = 60


def active_branches() -> list[Branch]:
    """The company's active branches with their hours and services, by name (from the cache if there)."""
    return cached(BRANCH_DIRECTORY_KEY, lambda: list(_active_branches()), BRANCH_DIRECTORY_SECONDS)


def _active_branches() -> QuerySet[Branch]:
    return (
        Branch.objects.filter(is_active=True)
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            "closures",
            Prefetch("services", queryset=Service.objects.filter(is_active=True).order_by("name")),
        )
        .order_by("name", "id")
    )


def branch_for_call(branch_id: int | None) -> Branch | None:
    """The active branch behind the dialled number (see `branch_among`)."""
    return branch_among(active_branches(), branch_id)


def branch_among(branches: list[Branch], branch_id: int | None) -> Branch | None:
    """The dialled number's branch among the active `branches`. A number tied to no branch (the central
    line) has one only when the company has one active branch; otherwise the caller names it."""
    if branch_id is not None:
        return next((branch for branch in branches if branch.pk == branch_id), None)
    return branches[0] if len(branches) == 1 else None


def call_timezone(branch: Branch | None) -> ZoneInfo:
    if branch is not None:
        return branch.tzinfo
    company = current_company()
    return ZoneInfo(company.timezone if company is not None else "Europe/Berlin")


def upcoming_appointments(customer: Customer, *, now: datetime, limit: int = 5) -> list[Appointment]:
    return list(
        Appointment.objects.active()
        .filter(customer=customer, starts_at__gte=now)
        .select_related("service", "staff", "branch")
        .order_by("starts_at", "id")[:limit]
    )


def has_open_callback(phone: str) -> bool:
    e164 = try_normalise_phone(phone) if phone else None
    if e164 is None:
        return False
    return CallbackRequest.objects.filter(
        phone=e164, status__in=OPEN_CALLBACK_STATUSES, deleted_at__isnull=True
    ).exists()
