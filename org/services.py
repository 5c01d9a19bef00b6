"""Changes to a company's organisation: people (and their saved list views), branches, customers."""

from collections.abc import Collection
from datetime import date, datetime, time
from urllib.parse import parse_qsl, urlencode

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.events import emit
from common.phone import normalise_phone
from org.models import Absence, Branch, Closure, Customer, OpeningHours, SavedView, Service, Staff
from org.roles import Role


@transaction.atomic
def staff_ensure(
    *,
    email: str,
    name: str,
    role: str = Role.STAFF,
    password: str | None = None,
    branches: tuple[Branch, ...] = (),
    services: tuple[Service, ...] = (),
    **fields,
) -> tuple[Staff, bool]:
    """The staff member with this login, created with its user and role group when missing."""
    user = User.objects.filter(username=email).first()
    if user is not None and hasattr(user, "staff"):
        return user.staff, False
    if user is None:
        user = User(username=email, email=email, first_name=name, is_staff=True)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
    staff = Staff(user=user, name=name, email=email, role=role, **fields)
    staff.full_clean()
    staff.save()
    staff.branches.set(branches)
    staff.services.set(services)
    staff_role_set(staff=staff, role=role)
    return staff, True


def staff_role_set(*, staff: Staff, role: str) -> Staff:
    """Keep the role field and the user's auth group in step (the group carries the permissions)."""
    staff.role = role
    staff.save(update_fields=["role"])
    group, _created = Group.objects.get_or_create(name=role)
    staff.user.groups.set([group])
    return staff


def customer_create(*, name: str, phone: str = "", email: str = "", **fields) -> Customer:
    customer = Customer(name=name, phone=normalise_phone(phone) if phone else "", email=email, **fields)
    customer.full_clean()
    customer.save()
    return customer


def _takes_callbacks(staff: Staff) -> bool:
    return staff.is_active and staff.accepts_callbacks


@transaction.atomic
def staff_save(*, staff: Staff, by: AbstractBaseUser | None = None) -> Staff:
    """Save a changed staff member; one who stops taking callbacks (deactivated, or no longer accepting)
    emits `staff.stopped_taking_callbacks`, so their open callbacks return to the pool."""
    before = Staff.objects.select_for_update().filter(pk=staff.pk).first()
    if by is not None:
        staff._history_user = by
    staff.full_clean()
    staff.save()
    if before is not None and _takes_callbacks(before) and not _takes_callbacks(staff):
        emit("staff.stopped_taking_callbacks", staff=staff, by=by)
    return staff


def absence_save(*, absence: Absence, by: AbstractBaseUser | None = None) -> Absence:
    """Enter or change an absence; `staff.absence_saved` lets callbacks return its person's open ones to
    the pool at once when it covers now (later ones are found by the sweep when they start)."""
    if by is not None:
        absence._history_user = by
    absence.full_clean()
    absence.save()
    emit("staff.absence_saved", absence=absence, staff=absence.staff, by=by)
    return absence


@transaction.atomic
def absences_mark_released(*, staff: Staff, now: datetime | None = None) -> int:
    """Record that the absences covering `now` have had their person's callbacks released (idempotent)."""
    now = now or timezone.now()
    covering = Absence.objects.covering(now).filter(staff=staff, released_at__isnull=True)
    marked = 0
    for absence in covering.select_for_update():
        absence.released_at = now
        absence.save(update_fields=["released_at"])
        marked += 1
    return marked


@transaction.atomic
def opening_hours_set(*, branch: Branch, week: dict[int, list[tuple[time, time]]]) -> int:
    """Replace the branch's opening hours with `week` (weekday → spans; a missing day is closed).

    Rows that stay the same are left alone, so the history shows only what changed. Returns the rows now.
    """
    wanted = {(day, opens, closes) for day, spans in week.items() for opens, closes in spans}
    stored = {(row.weekday, row.opens, row.closes): row for row in branch.opening_hours.all()}
    for key, row in stored.items():
        if key not in wanted:
            row.delete()
    for day, opens, closes in sorted(wanted - stored.keys()):
        row = OpeningHours(branch=branch, weekday=day, opens=opens, closes=closes)
        row.full_clean()
        row.save()
    emit("branch.hours_set", branch=branch)
    return len(wanted)


@transaction.atomic
def closures_import_holidays(*, branch: Branch, state: str, year: int) -> list[Closure]:
    """The public holidays of a German state (Bundesland, e.g. "BE") in `year` as closures of the branch.

    Idempotent: a day the branch is already closed on (any closure covering it) is skipped, so importing
    twice, or after entering a holiday by hand, adds nothing. Names come in German from `holidays`.
    """
    import holidays  # a sizeable package, needed only here

    days = holidays.country_holidays("DE", subdiv=state, years=year, language="de")
    closed = list(branch.closures.filter(starts_on__lte=date(year, 12, 31), ends_on__gte=date(year, 1, 1)))
    created = []
    for day, name in sorted(days.items()):
        if any(closure.starts_on <= day <= closure.ends_on for closure in closed):
            continue
        closure = Closure(branch=branch, starts_on=day, ends_on=day, reason=name[:200])
        closure.full_clean()
        closure.save()
        created.append(closure)
    emit("branch.holidays_imported", branch=branch, closures=created)
    return created


SAVED_VIEW_NOTHING_TO_SAVE = _("Nothing to save: the list is neither filtered, searched nor sorted.")


def saved_view_query(query: str, parameters: Collection[str]) -> str:
    """What a saved view keeps of a list's querystring: the list's own filter, search and order parameters,
    re-encoded. Anything else (a page number, a path, a host, `_changelist_filters`, …) is dropped, so a saved
    view can only ever reopen its own list, never lead somewhere else."""
    pairs = parse_qsl(query.removeprefix("?"), keep_blank_values=False)
    return urlencode([(key, value) for key, value in pairs if key in parameters])


@transaction.atomic
def saved_view_save(
    *, user: AbstractBaseUser, list_name: str, name: str, query: str, parameters: Collection[str]
) -> SavedView:
    """The user's view `name` on the list `list_name` (app_label.model_name), created or replaced."""
    kept = saved_view_query(query, parameters)
    if not kept:
        raise ValidationError(SAVED_VIEW_NOTHING_TO_SAVE, code="nothing_to_save")
    name = name.strip()
    view = SavedView.objects.filter(user=user, list_name=list_name, name=name).first()
    view = view or SavedView(user=user, list_name=list_name, name=name)
    view.query = kept
    view.full_clean()
    view.save()
    return view


@transaction.atomic
def saved_view_delete(*, user: AbstractBaseUser, view_id: int) -> SavedView | None:
    """Deletes the user's own view with this id; another person's view is not theirs to delete (None)."""
    view = SavedView.objects.filter(user=user, pk=view_id).first()
    if view is not None:
        view.delete()
    return view
