"""Who may take a callback, and who should: eligibility, open workload, the facts the strategies rank by,
and the locks.

Eligibility is one list of conditions (`_conditions`): `eligible_q` / `eligible_staff` are its queryset form
(auto-assignment, the admin's pickers), `refusal` its check for one person that names the first condition
they fail (manual assignment, escalation to a chosen person). Workload is `with_open_load`.

Concurrency: the caller holds the callback's row lock; `choose(..., lock=True)` then locks the rows of all
eligible staff, always in id order (so two workers never deadlock), and only afterwards counts their open
callbacks. Any other worker assigning to one of these people has to wait for that lock, so the count it
then reads includes our assignment: nobody is pushed over their maximum.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from callbacks import strategies
from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.sla import is_open_time
from common.messages import Stored
from common.messages import message as said
from org.models import Absence, Staff

STAFF_INACTIVE = _("%(staff)s is not active.")
STAFF_ABSENT = _("%(staff)s is absent.")
STAFF_NOT_AT_BRANCH = _("%(staff)s does not work at %(branch)s.")
STAFF_WITHOUT_SERVICE = _("%(staff)s does not handle %(service)s.")
STAFF_NOT_ACCEPTING = _("%(staff)s does not take callbacks.")
STAFF_AT_CAPACITY = _("%(staff)s already has %(count)s open callbacks (maximum %(maximum)s).")


@dataclass(frozen=True)
class Choice:
    """The chosen staff member with the reason, or None with why nobody could be chosen (`common.messages`
    stored forms, shown in the reader's language)."""

    staff: Staff | None
    reason: Stored


def _conditions(callback: CallbackRequest, now: datetime | None = None) -> list[tuple[str, Q, str]]:
    """Who may take `callback` at `now` (default: now), one condition a line, each with the refusal that
    names it."""
    absent = Absence.objects.covering(now or timezone.now()).values("staff")
    conditions = [
        ("inactive", Q(is_active=True), STAFF_INACTIVE),
        ("absent", ~Q(pk__in=absent), STAFF_ABSENT),
        ("branch", Q(branches=callback.branch_id), STAFF_NOT_AT_BRANCH),
    ]
    if callback.service_id:
        conditions.append(("service", Q(services=callback.service_id), STAFF_WITHOUT_SERVICE))
    conditions.append(("not_accepting", Q(accepts_callbacks=True), STAFF_NOT_ACCEPTING))
    return conditions


def eligible_q(callback: CallbackRequest, now: datetime | None = None) -> Q:
    """The conditions as one Staff filter (capacity is checked separately, after locking)."""
    combined = Q()
    for _code, condition, _message in _conditions(callback, now):
        combined &= condition
    return combined


def with_open_load(staff: QuerySet[Staff]) -> QuerySet[Staff]:
    """Annotate `open_load`: the person's open callbacks (not deleted), which count against their maximum."""
    open_callbacks = Q(
        assigned_callbacks__status__in=CallbackRequest.OPEN_STATUSES,
        assigned_callbacks__deleted_at__isnull=True,
    )
    # distinct: branch or service joins in `staff` would otherwise count a callback once per joined row.
    return staff.annotate(open_load=Count("assigned_callbacks", filter=open_callbacks, distinct=True))


def open_callback_counts(staff_ids: Collection[int]) -> dict[int, int]:
    return dict(with_open_load(Staff.objects.filter(pk__in=staff_ids)).values_list("pk", "open_load"))


def open_callback_count(staff: Staff) -> int:
    return open_callback_counts([staff.pk]).get(staff.pk, 0)


def eligible_staff(callback: CallbackRequest) -> QuerySet[Staff]:
    """Who may take `callback` now: eligible and below their maximum, annotated with `open_load`."""
    people = with_open_load(Staff.objects.filter(eligible_q(callback)))
    return people.filter(open_load__lt=F("max_open_callbacks"))


def eligible_for_all(callbacks: Collection[CallbackRequest]) -> QuerySet[Staff]:
    """Who may take every one of `callbacks`: eligible for each, with room for all of them (bulk assign).

    Nobody who already holds one of them is offered: assigning it to them again is refused."""
    holders = CallbackRequest.all_objects.filter(pk__in=[cb.pk for cb in callbacks]).values("assigned_to")
    people = Staff.objects.exclude(pk__in=holders.filter(assigned_to__isnull=False))
    for callback in {(cb.branch_id, cb.service_id): cb for cb in callbacks}.values():
        people = people.filter(eligible_q(callback))  # chained: one branch/service join per callback
    room = F("max_open_callbacks") - len(callbacks)
    return with_open_load(people).filter(open_load__lte=room)


def refusal(staff: Staff, callback: CallbackRequest) -> ValidationError | None:
    """Why `staff` may not take `callback`: the first condition of `eligible_q` they fail, then capacity.

    Call with the staff row locked (`lock_staff`) so the count cannot change before the assignment.
    """
    params = {
        "staff": staff.name,
        "branch": callback.branch.name,
        "service": callback.service.name if callback.service_id else "",
    }
    for code, condition, message in _conditions(callback):
        if not Staff.objects.filter(condition, pk=staff.pk).exists():
            return ValidationError(message, code=code, params=params)
    count = open_callback_count(staff)
    if count >= staff.max_open_callbacks:
        params = {"staff": staff.name, "count": count, "maximum": staff.max_open_callbacks}
        return ValidationError(STAFF_AT_CAPACITY, code="capacity", params=params)
    return None


def last_assignments(staff_ids: Collection[int]) -> dict[int, datetime]:
    rows = (
        CallbackEvent.objects.filter(kind=CallbackEvent.Kind.ASSIGNED, staff__in=staff_ids)
        .values("staff")
        .annotate(last=Max("at"))
    )
    return {row["staff"]: row["last"] for row in rows}


def last_assignee_in_branch(branch_id: int) -> int | None:
    """The staff member assigned most recently in this branch (the round-robin cursor)."""
    return (
        CallbackEvent.objects.filter(kind=CallbackEvent.Kind.ASSIGNED, callback__branch=branch_id)
        .order_by("-at", "-id")
        .values_list("staff", flat=True)
        .first()
    )


def last_handler_of_customer(callback: CallbackRequest, *, now: datetime) -> int | None:
    """Who last dealt with this customer: reached them on a callback or served them at an appointment."""
    same_customer = Q(phone=callback.phone)
    if callback.customer_id:
        same_customer |= Q(customer=callback.customer_id)
    contacted = (
        CallbackRequest.all_objects.filter(
            same_customer, contacted_at__isnull=False, assigned_to__isnull=False
        )
        .exclude(pk=callback.pk)
        .order_by("-contacted_at", "-id")
        .values_list("assigned_to", "contacted_at")
        .first()
    )
    served = None
    if callback.customer_id:
        served = (
            Appointment.objects.filter(customer=callback.customer_id, staff__isnull=False, starts_at__lte=now)
            .exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
            .order_by("-starts_at", "-id")
            .values_list("staff", "starts_at")
            .first()
        )
    latest = max((row for row in (contacted, served) if row), key=lambda row: row[1], default=None)
    return latest[0] if latest else None


def on_duty_now(callback: CallbackRequest, now: datetime) -> bool:
    """Staff are on duty while the SLA clock runs: the branch is open, or it has no opening hours at all."""
    return is_open_time(now, callback.branch.weekly_hours())


def _nobody_reason(callback: CallbackRequest, *, excluded: bool) -> Stored:
    branch = callback.branch.name
    if excluded:
        return said("nobody_else", branch=branch)
    if callback.service_id:
        return said("nobody_for_service", branch=branch, service=callback.service.name)
    return said("nobody_at_branch", branch=branch)


def choose(
    callback: CallbackRequest,
    *,
    strategy: str,
    now: datetime,
    exclude_staff_ids: Collection[int] = (),
    lock: bool = True,
) -> Choice:
    """Pick the staff member for `callback` with `strategy`, or say why nobody can take it."""
    if not on_duty_now(callback, now):
        return Choice(None, said("branch_closed", branch=callback.branch.name))
    # One query selects and (in id order) locks the eligible; a person who is updated meanwhile is
    # re-checked against the conditions by PostgreSQL once their lock is ours.
    eligible = (
        Staff.objects.filter(eligible_q(callback, now)).exclude(pk__in=exclude_staff_ids).order_by("pk")
    )
    if lock:
        eligible = eligible.select_for_update(of=("self",))
    staff_by_id = {staff.pk: staff for staff in eligible}
    if not staff_by_id:
        return Choice(None, _nobody_reason(callback, excluded=bool(exclude_staff_ids)))
    counts = open_callback_counts(staff_by_id)
    available = [
        staff for staff in staff_by_id.values() if counts.get(staff.pk, 0) < staff.max_open_callbacks
    ]
    if not available:
        return Choice(None, said("everyone_full", count=len(staff_by_id), branch=callback.branch.name))
    round_robin = strategy == strategies.ROUND_ROBIN
    picked = strategies.pick(
        strategy,
        _candidates(callback, available, counts, now=now, ranked_by_load=not round_robin),
        service_name=callback.service.name if callback.service_id else None,
        branch_name=callback.branch.name,
        last_assigned_staff_id=last_assignee_in_branch(callback.branch_id) if round_robin else None,
    )
    return Choice(staff_by_id[picked.staff_id], picked.reason)


def _candidates(
    callback: CallbackRequest,
    available: list[Staff],
    counts: dict[int, int],
    *,
    now: datetime,
    ranked_by_load: bool,
) -> list[strategies.Candidate]:
    """The candidates with the facts their strategy ranks by: the last assignments and the customer's last
    handler are read only for the load-based one (round robin goes by id after the branch's cursor)."""
    last_assigned = last_assignments([staff.pk for staff in available]) if ranked_by_load else {}
    previous_handler = last_handler_of_customer(callback, now=now) if ranked_by_load else None
    return [
        strategies.Candidate(
            staff_id=staff.pk,
            name=staff.name,
            open_callbacks=counts.get(staff.pk, 0),
            last_assigned_at=last_assigned.get(staff.pk),
            is_preferred=staff.pk == callback.preferred_staff_id,
            last_handled_customer=staff.pk == previous_handler,
        )
        for staff in available
    ]


def lock_staff(staff: Staff) -> Staff:
    """Lock one staff row (manual assignment) so its open-callback count cannot change under us."""
    return Staff.objects.select_for_update().get(pk=staff.pk)
