"""Contact attempts: reaching the customer, "call me later", and three failures escalating."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from callbacks.models import CALL_BACK_AT_REQUIRED, CallbackEscalation, CallbackRequest, ContactAttempt
from callbacks.services import ATTEMPT_NOT_ALLOWED, CALL_BACK_AT_IN_PAST, callback_record_contact_attempt
from tests.callbacks.conftest import names
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Outcome = ContactAttempt.Outcome
Status = CallbackRequest.Status


@pytest.fixture
def assigned(mitte, anna):
    return AssignedCallbackFactory(branch=mitte, assigned_to=anna)


def attempt(callback, outcome, **kwargs):
    return callback_record_contact_attempt(callback=callback, outcome=outcome, **kwargs)


def test_reaching_the_customer_marks_the_callback_contacted(assigned, anna, events):
    made = attempt(assigned, Outcome.REACHED, note="Termin besprochen", by=anna.user)
    assigned.refresh_from_db()
    assert made.staff == anna
    assert (assigned.status, assigned.contacted_at, assigned.contact_attempts_count) == (
        Status.CONTACTED,
        WEDNESDAY_10,
        1,
    )
    assert names(events) == ["callback.contacted"]


def test_failed_attempt_is_counted_without_changing_the_status(assigned, events):
    attempt(assigned, Outcome.NO_ANSWER)
    assigned.refresh_from_db()
    assert (assigned.status, assigned.contact_attempts_count, assigned.failed_attempts_count) == (
        Status.ASSIGNED,
        1,
        1,
    )
    assert events == []


def test_asked_to_call_later_moves_the_deadline_instead_of_counting_as_a_failure(assigned, clock):
    later = WEDNESDAY_10 + timedelta(days=2, hours=4)
    assigned.sla_warned_at = WEDNESDAY_10
    assigned.save()
    attempt(assigned, Outcome.ASKED_TO_CALL_LATER, call_back_at=later)
    assigned.refresh_from_db()
    assert assigned.expires_at == later
    assert assigned.sla_warned_at is None
    assert assigned.failed_attempts_count == 0
    assert assigned.status == Status.CONTACTED
    assert assigned.timeline.filter(kind="deadline_moved").exists()


def test_third_failed_attempt_escalates_with_max_attempts(assigned, anna, ben, events):
    for outcome in (Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER):
        attempt(assigned, outcome)
    escalation = CallbackEscalation.objects.get()
    assert escalation.reason == CallbackEscalation.Reason.MAX_ATTEMPTS
    assert (escalation.from_staff, escalation.to_staff) == (anna, ben)
    assert names(events) == ["callback.assigned", "callback.escalated"]


def test_two_failed_attempts_do_not_escalate(assigned):
    attempt(assigned, Outcome.NO_ANSWER)
    attempt(assigned, Outcome.NO_ANSWER)
    assert not CallbackEscalation.objects.exists()


def test_max_failed_attempts_is_configurable(assigned, company_settings):
    company_settings(CALLBACK_MAX_FAILED_ATTEMPTS=1)
    attempt(assigned, Outcome.NO_ANSWER)
    assert CallbackEscalation.objects.get().reason == "max_attempts"


def test_attempt_on_a_pending_callback_is_refused_and_changes_nothing(mitte):
    callback = CallbackRequestFactory(branch=mitte)
    with pytest.raises(ValidationError) as error:
        attempt(callback, Outcome.REACHED)
    assert error.value.messages == [ATTEMPT_NOT_ALLOWED % {"current": "pending"}]
    assert not ContactAttempt.objects.exists()


def test_call_later_without_a_time_is_refused(assigned):
    with pytest.raises(ValidationError) as error:
        attempt(assigned, Outcome.ASKED_TO_CALL_LATER)
    assert error.value.message_dict["call_back_at"] == [CALL_BACK_AT_REQUIRED]
    assigned.refresh_from_db()
    assert assigned.contact_attempts_count == 0


def test_call_later_in_the_past_is_refused(assigned):
    with pytest.raises(ValidationError) as error:
        attempt(assigned, Outcome.ASKED_TO_CALL_LATER, call_back_at=WEDNESDAY_10 - timedelta(minutes=1))
    assert error.value.message_dict["call_back_at"] == [CALL_BACK_AT_IN_PAST]


def test_unknown_outcome_is_refused(assigned):
    with pytest.raises(ValidationError) as error:
        attempt(assigned, "shouted")
    assert "outcome" in error.value.message_dict
    assert not ContactAttempt.objects.exists()
