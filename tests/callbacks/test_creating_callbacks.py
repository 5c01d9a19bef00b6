"""Creating a callback request: deadline, automatic priority, timeline, event; bad input changes nothing."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from appointments.models import Appointment
from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.services import (
    PHONE_REQUIRED,
    SERVICE_NOT_AT_BRANCH,
    UNKNOWN_BRANCH,
    UNKNOWN_SERVICE,
    WINDOW_ENDS_BEFORE_START,
    callback_create,
)
from common.phone import INVALID_PHONE
from tests.callbacks.conftest import names
from tests.factories.org import BranchFactory, ClosureFactory, CustomerFactory, ServiceFactory
from tests.personas import BERLIN, WEDNESDAY_10

pytestmark = pytest.mark.django_db


def create(branch, **fields):
    fields.setdefault("phone", "+49 171 1234567")
    return callback_create(branch_id=branch.pk, **fields)


def test_new_callback_is_pending_with_its_deadline_and_a_created_event(mitte, events):
    callback, created = create(mitte, customer_name="Clara", notes="Rückruf wegen Termin")
    assert created
    assert callback.status == CallbackRequest.Status.PENDING
    assert str(callback.phone) == "+491711234567"
    assert callback.priority == CallbackRequest.Priority.NORMAL
    assert callback.expires_at == WEDNESDAY_10 + timedelta(days=1)
    assert names(events) == ["callback.created"]
    assert events[0]["callback"] == callback


def test_creation_is_the_first_entry_on_the_timeline(mitte, anna):
    callback, _ = create(mitte, by=anna.user)
    entry = callback.timeline.get()
    assert entry.kind == CallbackEvent.Kind.CREATED
    assert entry.actor_name == "Anna"
    assert entry.details["priority"] == "normal"


def test_deadline_follows_the_priority(mitte):
    urgent, _ = create(mitte, priority="urgent", phone="+491711000001")
    high, _ = create(mitte, priority="high", phone="+491711000002")
    assert urgent.expires_at == WEDNESDAY_10 + timedelta(hours=2)
    assert high.expires_at == WEDNESDAY_10 + timedelta(hours=4)


def test_sla_hours_are_configurable_per_company(mitte, company_settings):
    company_settings(CALLBACK_SLA_HOURS={"urgent": 1, "high": 3, "normal": 8})
    callback, _ = create(mitte, priority="urgent")
    assert callback.expires_at == WEDNESDAY_10 + timedelta(hours=1)


def test_normal_callback_from_friday_evening_is_due_monday_evening(mitte, clock):
    clock.move_to(datetime(2026, 3, 6, 17, 0, tzinfo=BERLIN), tick=False)
    callback, _ = create(mitte)
    assert callback.expires_at == datetime(2026, 3, 9, 17, 0, tzinfo=BERLIN)


def test_preferred_window_moves_the_deadline_after_the_window_opens(mitte):
    start = datetime(2026, 3, 5, 15, 0, tzinfo=BERLIN)
    callback, _ = create(
        mitte,
        priority="urgent",
        preferred_window_start=start,
        preferred_window_end=start + timedelta(hours=2),
    )
    assert callback.expires_at == datetime(2026, 3, 5, 17, 0, tzinfo=BERLIN)


def test_naive_window_is_read_in_the_customers_timezone(mitte):
    customer = CustomerFactory(timezone="Europe/London")
    callback, _ = create(
        mitte,
        customer_id=customer.pk,
        preferred_window_start=datetime(2026, 3, 5, 14, 0),
        preferred_window_end=datetime(2026, 3, 5, 16, 0),
    )
    assert callback.preferred_window_start == datetime(2026, 3, 5, 15, 0, tzinfo=BERLIN)


def test_vip_customer_gets_urgent_priority(mitte):
    vip = CustomerFactory(is_vip=True)
    callback, _ = create(mitte, customer_id=vip.pk)
    assert callback.priority == CallbackRequest.Priority.URGENT
    assert callback.expires_at == WEDNESDAY_10 + timedelta(hours=2)


def cancelled_appointment(customer, service, days_ago):
    starts = WEDNESDAY_10 - timedelta(days=days_ago)
    return Appointment.objects.create(
        customer=customer,
        service=service,
        branch=service.branches.get(),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        status=Appointment.Status.CANCELLED,
    )


def test_customer_with_two_cancellations_in_90_days_gets_high_priority(mitte, haircut, customer):
    cancelled_appointment(customer, haircut, days_ago=10)
    cancelled_appointment(customer, haircut, days_ago=80)
    callback, _ = create(mitte, customer_id=customer.pk)
    assert callback.priority == CallbackRequest.Priority.HIGH


def test_cancellations_older_than_90_days_do_not_count(mitte, haircut, customer):
    cancelled_appointment(customer, haircut, days_ago=10)
    cancelled_appointment(customer, haircut, days_ago=100)
    callback, _ = create(mitte, customer_id=customer.pk)
    assert callback.priority == CallbackRequest.Priority.NORMAL


def test_urgent_words_in_the_notes_make_it_high(mitte):
    callback, _ = create(mitte, notes="Bitte dringend zurückrufen, Notfall")
    assert callback.priority == CallbackRequest.Priority.HIGH


def test_a_chosen_priority_wins_over_the_automatic_rules(mitte):
    vip = CustomerFactory(is_vip=True)
    callback, _ = create(mitte, customer_id=vip.pk, priority="normal")
    assert callback.priority == CallbackRequest.Priority.NORMAL


def test_known_caller_is_linked_to_their_customer_record(mitte, customer):
    callback, _ = create(mitte, phone="030 12345678")
    assert callback.customer == customer
    assert callback.customer_name == "Clara Kundin"


def test_customer_phone_is_used_when_none_is_given(mitte, customer):
    callback, _ = callback_create(branch_id=mitte.pk, customer_id=customer.pk)
    assert str(callback.phone) == "+493012345678"


def assert_nothing_changed(events):
    assert CallbackRequest.all_objects.count() == 0
    assert CallbackEvent.objects.count() == 0
    assert events == []


def test_unknown_branch_is_refused_and_nothing_is_written(mitte, events):
    with pytest.raises(ValidationError) as error:
        callback_create(branch_id=mitte.pk + 999, phone="+491711234567")
    assert error.value.message_dict["branch"] == [UNKNOWN_BRANCH % {"value": mitte.pk + 999}]
    assert_nothing_changed(events)


def test_inactive_branch_counts_as_unknown(company, clock, events):
    closed = BranchFactory(is_active=False)
    with pytest.raises(ValidationError) as error:
        callback_create(branch_id=closed.pk, phone="+491711234567")
    assert "branch" in error.value.message_dict
    assert_nothing_changed(events)


def test_unknown_service_is_refused(mitte, events):
    with pytest.raises(ValidationError) as error:
        create(mitte, service_id=424242)
    assert error.value.message_dict["service"] == [UNKNOWN_SERVICE % {"value": 424242}]
    assert_nothing_changed(events)


def test_service_of_another_branch_is_refused(mitte, events):
    elsewhere = ServiceFactory(name="Massage", branches=[BranchFactory(name="Nord")])
    with pytest.raises(ValidationError) as error:
        create(mitte, service_id=elsewhere.pk)
    assert error.value.message_dict["service"] == [
        SERVICE_NOT_AT_BRANCH % {"service": "Massage", "branch": "Mitte"}
    ]
    assert_nothing_changed(events)


@pytest.mark.parametrize("phone", ["12", "not a number", "+49 000"])
def test_invalid_phone_is_refused(mitte, events, phone):
    with pytest.raises(ValidationError) as error:
        create(mitte, phone=phone)
    assert error.value.message_dict["phone"] == [INVALID_PHONE % {"value": phone}]
    assert_nothing_changed(events)


def test_missing_phone_is_refused(mitte, events):
    with pytest.raises(ValidationError) as error:
        create(mitte, phone="")
    assert error.value.message_dict["phone"] == [PHONE_REQUIRED]
    assert_nothing_changed(events)


def test_customer_reachable_only_by_email_gets_a_callback_without_phone(mitte, events):
    callback, created = create(mitte, phone="", customer_name="Erika", customer_email="erika@example.test")
    assert created
    assert (str(callback.phone), callback.customer_email) == ("", "erika@example.test")
    assert names(events) == ["callback.created"]


def test_window_that_ends_before_it_starts_is_refused(mitte, events):
    start = WEDNESDAY_10 + timedelta(hours=5)
    with pytest.raises(ValidationError) as error:
        create(mitte, preferred_window_start=start, preferred_window_end=start - timedelta(hours=1))
    assert error.value.message_dict["preferred_window_end"] == [WINDOW_ENDS_BEFORE_START]
    assert_nothing_changed(events)


def test_all_problems_are_reported_together(mitte, events):
    with pytest.raises(ValidationError) as error:
        callback_create(branch_id="nope", phone="x", service_id=-1, priority="whenever")
    assert set(error.value.message_dict) == {"branch", "phone", "service", "priority"}
    assert_nothing_changed(events)


def test_markup_is_stripped_from_the_name_and_notes(mitte):
    callback, _ = create(mitte, customer_name="<b>Clara</b>", notes="<script>alert(1)</script>Rückruf")
    assert (callback.customer_name, callback.notes) == ("Clara", "alert(1)Rückruf")


def test_customer_email_is_kept_or_taken_from_the_customer(mitte, customer):
    given, _ = create(mitte, customer_email="clara@example.test", phone="+491711000003")
    taken, _ = create(mitte, customer_id=customer.pk, phone="+491711000004")
    assert given.customer_email == "clara@example.test"
    assert taken.customer_email == customer.email


def test_branch_closure_pauses_the_sla_clock(mitte, clock):
    ClosureFactory(branch=mitte, starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 9), reason="Feiertag")
    clock.move_to(datetime(2026, 3, 6, 17, 0, tzinfo=BERLIN), tick=False)
    callback, _ = create(mitte)
    assert callback.expires_at == datetime(2026, 3, 10, 17, 0, tzinfo=BERLIN)
