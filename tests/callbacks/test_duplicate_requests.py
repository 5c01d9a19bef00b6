"""A second request from the same number within two hours joins the open one instead of a new row."""

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.services import callback_cancel, callback_create
from tests.factories.org import BranchFactory

pytestmark = pytest.mark.django_db

PHONE = "+491711234567"


def test_repeat_request_within_two_hours_appends_its_notes_to_the_open_one(mitte, clock, events):
    first, _ = callback_create(branch_id=mitte.pk, phone=PHONE, notes="Termin verschieben")
    clock.shift(timedelta(minutes=90))
    again, created = callback_create(
        branch_id=mitte.pk, phone="0171 1234567", notes="Bitte auch Preis nennen"
    )
    assert created is False
    assert again.pk == first.pk
    assert CallbackRequest.objects.count() == 1
    assert "Termin verschieben" in again.notes
    assert "Bitte auch Preis nennen" in again.notes
    assert [event.name for event in events] == ["callback.created"]
    assert again.timeline.filter(kind=CallbackEvent.Kind.DUPLICATE_MERGED).count() == 1


def test_request_after_two_hours_creates_a_new_callback(mitte, clock):
    callback_create(branch_id=mitte.pk, phone=PHONE)
    clock.shift(timedelta(hours=2, minutes=1))
    _, created = callback_create(branch_id=mitte.pk, phone=PHONE)
    assert created
    assert CallbackRequest.objects.count() == 2


def test_closed_callback_is_not_reopened_by_a_repeat_request(mitte):
    first, _ = callback_create(branch_id=mitte.pk, phone=PHONE)
    callback_cancel(callback=first)
    _, created = callback_create(branch_id=mitte.pk, phone=PHONE)
    assert created


def test_repeat_request_can_raise_the_priority_and_pull_the_deadline_in(mitte):
    first, _ = callback_create(branch_id=mitte.pk, phone=PHONE)
    merged, _ = callback_create(branch_id=mitte.pk, phone=PHONE, notes="Notfall!")
    assert merged.priority == CallbackRequest.Priority.HIGH
    assert merged.expires_at == first.created_at + timedelta(hours=4)


def test_repeat_request_never_lowers_the_priority(mitte):
    callback_create(branch_id=mitte.pk, phone=PHONE, priority="urgent")
    merged, _ = callback_create(branch_id=mitte.pk, phone=PHONE, priority="normal")
    assert merged.priority == CallbackRequest.Priority.URGENT


def test_the_same_number_at_another_company_is_not_a_duplicate(mitte, other_company):
    callback_create(branch_id=mitte.pk, phone=PHONE)
    with tenant_context(other_company):
        _, created = callback_create(branch_id=BranchFactory().pk, phone=PHONE)
        assert created
        assert CallbackRequest.objects.count() == 1
