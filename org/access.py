"""Who may see and do what on which branch: the one place that decides, for every admin screen.

| role | callbacks | appointments, calls, customers | staff and loads | costs, usage |
|---|---|---|---|---|
| staff | theirs + unassigned of their branches | of their branches | only themselves | no |
| manager | of their branches | of their branches | their branches' people | no |
| admin (or superuser) | all | all | all | yes |

A user without an active staff profile in this company has no role and sees nothing. Managers also see
callbacks of no branch. A call belongs to its branch; a call on the central number (no branch) belongs to
the branches of the callbacks and appointments it led to. A customer belongs to the branches where they have
a callback, an appointment or a call; one with none of these anywhere is visible to every role. A service
belongs to the branches offering it (one offered nowhere in particular to all).

The rules are `Q` objects (the `*_q` functions, written with lookups so this module needs no app above
`org`), applied to a queryset with `scoped`; a single object is checked by looking it up in its scoped
queryset, so a list and a detail page cannot disagree.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from org import roles
from org.models import Staff
from org.roles import Role

User = AbstractBaseUser | AnonymousUser
NOTHING = Q(pk__in=[])


def scoped(queryset: QuerySet, rule: Q) -> QuerySet:
    """The rows of `queryset` that `rule` allows, each once (rules may join over to-many relations)."""
    if rule == Q():
        return queryset
    return queryset.filter(pk__in=queryset.model._base_manager.filter(rule).values("pk"))


def staff_of(user: User) -> Staff | None:
    """The user's staff profile in the current company (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except ObjectDoesNotExist:
        return None


def role_of(user: User) -> str | None:
    """The role the user has right now; a superuser counts as admin; None without an active profile."""
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return roles.active_role(staff_of(user))


def is_admin(user: User) -> bool:
    return role_of(user) == Role.ADMIN


def is_manager(user: User) -> bool:
    """Managers and admins (and a superuser)."""
    return role_of(user) in (Role.MANAGER, Role.ADMIN)


def branch_ids_for(user: User) -> set[int] | None:
    """The branches the user works on: None means all (admins), an empty set none (no role)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    if role is None:
        return set()
    staff = staff_of(user)
    if not hasattr(staff, "_access_branch_ids"):
        staff._access_branch_ids = set(staff.branches.values_list("pk", flat=True))
    return staff._access_branch_ids


def branch_q(user: User, field: str = "branch") -> Q:
    """Rows whose `field` (a branch foreign key, or a path to one) is one of the user's branches."""
    ids = branch_ids_for(user)
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids}) if ids else NOTHING


def branches_q(user: User) -> Q:
    """The branches themselves (for a Branch queryset)."""
    return branch_q(user, "pk")


def callback_q(user: User) -> Q:
    """Callbacks: staff those assigned to them and the unassigned ones of their branches; managers their
    branches' and those of no branch (a central-number call nobody could place); admins all."""
    role = role_of(user)
    if role == Role.STAFF:
        return Q(assigned_to=staff_of(user).pk) | (Q(assigned_to__isnull=True) & branch_q(user))
    if role == Role.MANAGER:
        return branch_q(user) | Q(branch__isnull=True)
    return branch_q(user)


def appointment_q(user: User, prefix: str = "") -> Q:
    """Appointments (and slot holds) of the user's branches; `prefix` (e.g. "appointment__") applies the
    rule to rows that belong to an appointment."""
    return branch_q(user, f"{prefix}branch")


def call_q(user: User) -> Q:
    """Calls of the user's branches; a call without a branch through what it led to."""
    if branch_ids_for(user) is None:
        return Q()
    led_to = branch_q(user, "callback_requests__branch") | branch_q(user, "appointments__branch")
    return branch_q(user) | (Q(branch__isnull=True) & led_to)


def service_q(user: User, prefix: str = "") -> Q:
    """Services offered at one of the user's branches, or at no branch in particular."""
    if branch_ids_for(user) is None:
        return Q()  # (an empty Q or'ed with another is that other: admins return early everywhere)
    return branch_q(user, f"{prefix}branches") | Q(**{f"{prefix}branches__isnull": True})


def customer_q(user: User) -> Q:
    """Customers with a callback, an appointment or a call at one of the user's branches, and those with
    none at any branch yet (a new caller belongs to no branch). Joins over three relations: apply it with
    `scoped`, which keeps each customer once."""
    if branch_ids_for(user) is None:
        return Q()
    placed = ("callback_requests__branch", "appointments__branch", "calls__branch")
    unplaced = Q()
    for field in placed:
        unplaced &= ~Q(**{f"{field}__isnull": False})
    there = Q()
    for field in placed:
        there |= branch_q(user, field)
    return there | unplaced


def staff_q(user: User, prefix: str = "") -> Q:
    """Staff whose details and workload the user may see: staff themselves, managers their branches'
    people, admins everyone."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Q()
    if role is None:
        return NOTHING
    me = Q(**{f"{prefix}pk": staff_of(user).pk})
    return branch_q(user, f"{prefix}branches") | me if role == Role.MANAGER else me


def policy_q(user: User) -> Q:
    """Policies of the company as a whole, and those of the branches, services and staff the user sees."""
    if branch_ids_for(user) is None:
        return Q()
    company_wide = Q(branch__isnull=True, service__isnull=True, staff__isnull=True)
    of_service = Q(service__isnull=False) & service_q(user, "service__")
    return company_wide | branch_q(user) | of_service | staff_q(user, "staff__")


def notification_q(user: User) -> Q:
    """Messages sent about the user's branches, and those sent to the user."""
    if branch_ids_for(user) is None:
        return Q()
    own = staff_of(user)
    return branch_q(user) | (Q(staff=own.pk) if own is not None else NOTHING)


def may_manage_staff(user: User, staff: Staff) -> bool:
    """Change a person's details, absences, assignments: admins anyone, managers their branches' people
    (and themselves); staff no one (see `may_act_for_staff` for their own entries)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role != Role.MANAGER:
        return False
    if staff.pk == staff_of(user).pk:
        return True
    return bool(branch_ids_for(user) & set(staff.branches.values_list("pk", flat=True)))


def may_act_for_staff(user: User, staff: Staff) -> bool:
    """Enter something for a person (e.g. an absence): who may manage them, or the person themselves."""
    own = staff_of(user)
    return may_manage_staff(user, staff) or (
        own is not None and role_of(user) is not None and own.pk == staff.pk
    )


def may_read_webhook_inbox(user: User) -> bool:
    """The stored webhook requests (raw bodies of every branch's calls and bookings): admins only."""
    return is_admin(user)


def may_see_costs(user: User) -> bool:
    """Call costs and usage (cost columns, cost reports): admins only."""
    return is_admin(user)
