"""Reads other apps need about callbacks: who is told when a callback escalates or finds nobody."""

from django.db.models import QuerySet

from callbacks.models import CallbackRequest
from callbacks.services.base import AUDIENCE_ADMINS, AUDIENCE_MANAGERS
from org.models import Staff
from org.roles import Role

UNKNOWN_AUDIENCE = "Unknown audience {audience!r}; expected branch_managers or company_admins."


def branch_managers(callback: CallbackRequest) -> QuerySet[Staff]:
    return Staff.objects.filter(is_active=True, role=Role.MANAGER, branches=callback.branch_id)


def company_admins() -> QuerySet[Staff]:
    return Staff.objects.filter(is_active=True, role=Role.ADMIN)


def recipients(callback: CallbackRequest, audience: list[str]) -> QuerySet[Staff]:
    """The people an event's `audience` (`callback.escalated`, `callback.unassignable`) names."""
    people = Staff.objects.none()
    for group in audience:
        if group == AUDIENCE_MANAGERS:
            people |= branch_managers(callback)
        elif group == AUDIENCE_ADMINS:
            people |= company_admins()
        else:
            raise ValueError(UNKNOWN_AUDIENCE.format(audience=group))
    return people.distinct().order_by("name")
