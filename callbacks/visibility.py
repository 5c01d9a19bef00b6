"""Which callbacks a user may see and act on: the callback rows of `org.access` (which decides every
role x branch rule), in the forms the callback screens, search, exports and the dashboard use."""

from django.db.models import Q, QuerySet

from callbacks.models import CallbackRequest
from org import access
from org.access import User, is_admin, is_manager, role_of, staff_of
from org.models import Branch, Staff

__all__ = ["is_admin", "is_manager", "role_of", "staff_of"]


def branch_ids(user: User) -> list[int]:
    """The user's branches as a list (all of the company's for an admin)."""
    return list(access.scoped(Branch.objects.all(), access.branches_q(user)).values_list("pk", flat=True))


def visible_q(user: User) -> Q:
    """The filter for the callbacks this user may see (see `org.access.callback_q`)."""
    return access.callback_q(user)


def visible_callbacks(user: User, queryset: QuerySet[CallbackRequest] | None = None) -> QuerySet:
    base = CallbackRequest.objects.all() if queryset is None else queryset
    return base.filter(visible_q(user))


def can_see(user: User, callback: CallbackRequest) -> bool:
    return visible_callbacks(user, CallbackRequest.all_objects.filter(pk=callback.pk)).exists()


def can_act_on(user: User, callback: CallbackRequest) -> bool:
    """Acting needs the same visibility; deleted callbacks are for managers and admins only."""
    if callback.deleted_at is not None and not is_manager(user):
        return False
    return can_see(user, callback)


def visible_staff(user: User) -> QuerySet[Staff]:
    """Staff a user may pick or see the load of (see `org.access.staff_q`)."""
    return access.scoped(Staff.objects.all(), access.staff_q(user))
