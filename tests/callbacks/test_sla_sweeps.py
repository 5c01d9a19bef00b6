"""The periodic sweeps: deadline warnings, escalation ladder, retrying pending ones, handing on, expiry."""

from datetime import datetime, timedelta

import pytest

from callbacks import sweeps
from callbacks.models import CallbackEscalation, CallbackEvent, CallbackRequest, ContactAttempt
from callbacks.services import callback_assign, callback_create, callback_record_contact_attempt
from tests.callbacks.conftest import names, queued_task_names
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.messages import english
from tests.personas import BERLIN, WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = CallbackRequest.Status


def overdue(branch, staff=None, **fields):
    fields.setdefault("expires_at", WEDNESDAY_10 - timedelta(minutes=5))
    if staff is None:
        return CallbackRequestFactory(branch=branch, **fields)
    return AssignedCallbackFactory(branch=branch, assigned_to=staff, **fields)


# --- deadline approaching ----------------------------------------------------------------------------


def test_callback_due_within_the_hour_warns_once(mitte, events):
    soon = CallbackRequestFactory(branch=mitte, expires_at=WEDNESDAY_10 + timedelta(minutes=45))
    CallbackRequestFactory(branch=mitte, expires_at=WEDNESDAY_10 + timedelta(minutes=90))
    assert sweeps.warn_sla_approaching() == 1
    assert sweeps.warn_sla_approaching() == 0
    assert names(events) == ["callback.sla_approaching"]
    assert events[0]["callback"] == soon
    assert events[0]["minutes_left"] == 45


def test_warning_lead_time_is_configurable(mitte, company_settings, events):
    company_settings(CALLBACK_SLA_WARNING_MINUTES=120)
    CallbackRequestFactory(branch=mitte, expires_at=WEDNESDAY_10 + timedelta(minutes=90))
    assert sweeps.warn_sla_approaching() == 1


def test_closed_or_overdue_callbacks_are_not_warned(mitte, events):
    CallbackRequestFactory(
        branch=mitte, status=Status.COMPLETED, expires_at=WEDNESDAY_10 + timedelta(minutes=30)
    )
    overdue(mitte)
    sweeps.warn_sla_approaching()
    assert events == []


def test_a_moved_deadline_warns_again(mitte, anna, clock, events):
    callback = AssignedCallbackFactory(
        branch=mitte, assigned_to=anna, expires_at=WEDNESDAY_10 + timedelta(minutes=30)
    )
    sweeps.warn_sla_approaching()
    callback_record_contact_attempt(
        callback=callback, outcome="asked_to_call_later", call_back_at=WEDNESDAY_10 + timedelta(hours=3)
    )
    clock.shift(timedelta(hours=2, minutes=30))
    sweeps.warn_sla_approaching()
    assert names(events).count("callback.sla_approaching") == 2


# --- escalation ladder ---------------------------------------------------------------------------------


def test_first_escalation_hands_the_callback_to_someone_else_and_tells_the_managers(mitte, anna, ben, events):
    callback = overdue(mitte, anna)
    assert sweeps.escalate_overdue() == 1
    callback.refresh_from_db()
    escalation = callback.escalations.get()
    assert (escalation.reason, escalation.level) == (CallbackEscalation.Reason.SLA_BREACH, 1)
    assert (escalation.from_staff, escalation.to_staff) == (anna, ben)
    assert callback.assigned_to == ben
    assert english(callback.assignment_reason).startswith("escalation: least loaded of 1 eligible")
    escalated = [e for e in events if e.name == "callback.escalated"][0]
    assert escalated["audience"] == ["branch_managers"]
    assert escalated["level"] == 1


def test_escalation_never_hands_back_to_the_same_person(mitte, anna, events):
    callback = overdue(mitte, anna)
    sweeps.escalate_overdue()
    callback.refresh_from_db()
    escalation = callback.escalations.get()
    assert callback.assigned_to == anna
    assert escalation.to_staff is None
    assert "nobody else could take it (nobody else at Mitte is eligible); stays with Anna" in english(
        escalation.notes
    )
    assert names(events) == ["callback.escalated"]


def test_escalation_respects_the_cooldown(mitte, anna, ben, clock):
    callback = overdue(mitte, anna)
    sweeps.escalate_overdue()
    clock.shift(timedelta(hours=3, minutes=55))
    assert sweeps.escalate_overdue() == 0
    clock.shift(timedelta(minutes=5))
    assert sweeps.escalate_overdue() == 1
    assert callback.escalations.count() == 2


def test_cooldown_is_configurable(mitte, anna, ben, clock, company_settings):
    company_settings(CALLBACK_ESCALATION_COOLDOWN_HOURS=1)
    overdue(mitte, anna)
    sweeps.escalate_overdue()
    clock.shift(timedelta(hours=1))
    assert sweeps.escalate_overdue() == 1


def test_second_escalation_raises_the_priority_and_third_tells_the_admins(mitte, anna, ben, clock, events):
    callback = overdue(mitte, anna)
    # Wednesday 10:00 and 14:00; at 18:00 Mitte closes, so the third waits for Thursday's opening.
    for moment in (
        WEDNESDAY_10,
        WEDNESDAY_10 + timedelta(hours=4),
        datetime(2026, 3, 5, 9, 0, tzinfo=BERLIN),
    ):
        clock.move_to(moment, tick=False)
        sweeps.escalate_overdue()
    callback.refresh_from_db()
    levels = list(callback.escalations.values_list("level", "metadata"))
    assert levels[1] == (2, {"audience": ["branch_managers"], "priority": ["normal", "high"]})
    assert levels[2] == (3, {"audience": ["branch_managers", "company_admins"]})
    assert callback.priority == CallbackRequest.Priority.HIGH
    assert callback.escalation_level == 3
    assert [e["audience"] for e in events if e.name == "callback.escalated"][-1] == [
        "branch_managers",
        "company_admins",
    ]


def test_one_failing_escalation_does_not_stop_the_sweep(mitte, anna, ben, monkeypatch, caplog):
    broken = overdue(mitte, anna)
    fine = overdue(mitte, anna)
    from callbacks.services import escalation as escalation_services

    real = escalation_services.callback_escalate

    def escalate(*, callback, **kwargs):
        if callback.pk == broken.pk:
            raise RuntimeError("database hiccup")
        return real(callback=callback, **kwargs)

    monkeypatch.setattr(escalation_services, "callback_escalate", escalate)
    assert sweeps.escalate_overdue() == 1
    assert fine.escalations.count() == 1
    assert not broken.escalations.exists()
    assert f"callback {broken.pk}" in caplog.text


def test_only_overdue_open_callbacks_are_escalated(mitte, anna):
    CallbackRequestFactory(branch=mitte, expires_at=WEDNESDAY_10 + timedelta(minutes=1))
    overdue(mitte, status=Status.COMPLETED)
    assert sweeps.escalate_overdue() == 0
    assert not CallbackEscalation.objects.exists()


def test_escalated_pending_callback_is_auto_assigned_after_commit(
    mitte, django_capture_on_commit_callbacks, clock
):
    callback = overdue(mitte)  # Mitte is open but nobody works there: the escalation assigns nobody
    with django_capture_on_commit_callbacks(execute=False) as queued:
        sweeps.escalate_overdue()
    assert queued_task_names(queued) == ["callbacks.auto_assign"]
    callback.refresh_from_db()
    assert callback.status == Status.PENDING


# --- pending callbacks become assignable ---------------------------------------------------------------


def test_pending_callback_is_assigned_once_staff_come_on_duty(mitte, anna, clock):
    clock.move_to(datetime(2026, 3, 7, 11, 0, tzinfo=BERLIN), tick=False)  # Saturday
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567")
    sweeps.assign_pending()
    callback.refresh_from_db()
    assert callback.status == Status.PENDING
    assert callback.unassignable_reason
    clock.move_to(datetime(2026, 3, 9, 9, 5, tzinfo=BERLIN), tick=False)  # Monday morning
    sweeps.assign_pending()
    callback.refresh_from_db()
    assert callback.assigned_to == anna


def test_pending_callback_is_assigned_once_capacity_frees_up(mitte, anna):
    anna.max_open_callbacks = 1
    anna.save()
    busy = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    waiting = CallbackRequestFactory(branch=mitte)
    sweeps.assign_pending()
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING
    busy.status = Status.COMPLETED
    busy.save()
    sweeps.assign_pending()
    waiting.refresh_from_db()
    assert waiting.assigned_to == anna


# --- work does not rot with one person -----------------------------------------------------------------


def test_callback_goes_to_someone_else_when_the_assignee_did_not_try_within_half_the_budget(
    mitte, anna, ben, clock
):
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567", priority="high")  # 4 h budget
    callback = callback_assign(callback=callback, staff=anna)
    assert callback.reassign_due_at == WEDNESDAY_10 + timedelta(hours=2)
    clock.shift(timedelta(hours=1, minutes=59))
    sweeps.hand_on_untouched()
    callback.refresh_from_db()
    assert callback.assigned_to == anna
    clock.shift(timedelta(minutes=1))
    sweeps.hand_on_untouched()
    callback.refresh_from_db()
    assert callback.assigned_to == ben
    assert english(callback.assignment_reason).startswith(
        "Anna made no contact attempt within 50% of the time to the deadline"
    )


def test_a_contact_attempt_keeps_the_callback_with_its_assignee(mitte, anna, ben, clock):
    callback = AssignedCallbackFactory(
        branch=mitte, assigned_to=anna, reassign_due_at=WEDNESDAY_10 + timedelta(hours=1)
    )
    callback_record_contact_attempt(callback=callback, outcome=ContactAttempt.Outcome.NO_ANSWER)
    clock.shift(timedelta(hours=2))
    sweeps.hand_on_untouched()
    callback.refresh_from_db()
    assert callback.assigned_to == anna


def test_nobody_else_available_returns_it_to_the_pool_and_says_so_once(mitte, anna, clock):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna, reassign_due_at=WEDNESDAY_10)
    sweeps.hand_on_untouched()
    sweeps.hand_on_untouched()
    callback.refresh_from_db()
    assert (callback.status, callback.assigned_to) == (Status.PENDING, None)  # see test_return_to_pool
    assert callback.timeline.filter(kind=CallbackEvent.Kind.UNASSIGNABLE).count() == 1


def test_reassignment_share_is_configurable(mitte, anna, company_settings):
    company_settings(CALLBACK_REASSIGN_AFTER_SHARE=0.25)
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567", priority="high")
    callback = callback_assign(callback=callback, staff=anna)
    assert callback.reassign_due_at == WEDNESDAY_10 + timedelta(hours=1)


# --- expiry ----------------------------------------------------------------------------------------------


def test_callback_overdue_for_more_than_seven_days_expires(mitte, anna, events):
    stale = overdue(mitte, anna, expires_at=WEDNESDAY_10 - timedelta(days=7, minutes=1))
    recent = overdue(mitte, anna, expires_at=WEDNESDAY_10 - timedelta(days=6))
    assert sweeps.expire_stale() == 1
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert (stale.status, recent.status) == (Status.EXPIRED, Status.ASSIGNED)
    assert names(events) == ["callback.expired"]


def test_expiry_grace_is_configurable(mitte, company_settings):
    company_settings(CALLBACK_EXPIRY_GRACE_DAYS=1)
    overdue(mitte, expires_at=WEDNESDAY_10 - timedelta(days=2))
    assert sweeps.expire_stale() == 1


def test_expiry_resolves_open_escalations(mitte, anna):
    callback = overdue(mitte, anna, expires_at=WEDNESDAY_10 - timedelta(days=8))
    sweeps.escalate_overdue()
    sweeps.expire_stale()
    assert callback.escalations.get().resolved_at == WEDNESDAY_10


def test_assignee_is_not_relieved_before_the_customers_preferred_window(mitte, anna):
    window_start = datetime(2026, 3, 5, 14, 0, tzinfo=BERLIN)
    callback, _ = callback_create(
        branch_id=mitte.pk,
        phone="+491711234567",
        priority="high",
        preferred_window_start=window_start,
        preferred_window_end=window_start + timedelta(hours=2),
    )
    callback = callback_assign(callback=callback, staff=anna)
    assert callback.expires_at == datetime(2026, 3, 5, 18, 0, tzinfo=BERLIN)
    assert callback.reassign_due_at == datetime(2026, 3, 5, 16, 0, tzinfo=BERLIN)
