"""Reads the phone agent needs, always inside the caller's company schema (the connection is on it)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from common.conf import current_company
from common.phone import try_normalise_phone
from org.models import Branch, Customer, OpeningHours

OPEN_CALLBACK_STATUSES = (
    CallbackRequest.Status.PENDING,
    CallbackRequest.Status.ASSIGNED,
    CallbackRequest.Status.CONTACTED,
)


def branch_for_call(branch_id: int | None) -> Branch | None:
    """The branch behind the dialled number; a number not tied to one branch answers for the first one."""
    branches = Branch.objects.filter(is_active=True).prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")), "closures"
    )
    if branch_id is not None:
        branch = branches.filter(pk=branch_id).first()
        if branch is not None:
            return branch
    return branches.order_by("id").first()


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
