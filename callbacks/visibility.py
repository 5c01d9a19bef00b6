"""Who may see and act on which callbacks (the role scoping every admin screen, search and export uses).

- staff: callbacks assigned to them, plus unassigned ones of their branches;
- manager: every callback of their branches;
- admin (and a superuser): every callback of the company.
A user without a staff profile in this company sees nothing.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from callbacks.models import CallbackRequest
from org import roles
from org.models import Staff
from org.roles import Role

User = AbstractBaseUser | AnonymousUser


def staff_of(user: User) -> Staff | None:
    """The user's staff profile in the current company (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except ObjectDoesNotExist:
        return None


def role_of(user: User) -> str | None:
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return roles.active_role(staff_of(user))


def is_manager(user: User) -> bool:
    """Managers and admins (and a superuser): bulk actions, deletion, escalations, staff load."""
    return getattr(user, "is_superuser", False) or roles.is_manager(staff_of(user))


def is_admin(user: User) -> bool:
    return role_of(user) == Role.ADMIN


def branch_ids(user: User) -> list[int]:
    staff = staff_of(user)
    if staff is None:
        return []
    if not hasattr(staff, "_visible_branch_ids"):
        staff._visible_branch_ids = list(staff.branches.values_list("pk", flat=True))
    return staff._visible_branch_ids


def visible_q(user: User) -> Q:
    """The filter for the callbacks this user may see (Q(pk__in=[]) when none)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Q()
    if role == Role.MANAGER:
        return Q(branch__in=branch_ids(user))
    if role == Role.STAFF:
        staff = staff_of(user)
        return Q(assigned_to=staff.pk) | Q(assigned_to__isnull=True, branch__in=branch_ids(user))
    return Q(pk__in=[])


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
    """Staff a user may pick or see load of: managers their branches' people, admins everyone."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Staff.objects.all()
    if role == Role.MANAGER:
        return Staff.objects.filter(branches__in=branch_ids(user)).distinct()
    staff = staff_of(user)
    return Staff.objects.filter(pk=staff.pk) if staff is not None else Staff.objects.none()
