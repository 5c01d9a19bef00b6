"""GDPR: anonymising a customer scrubs personal data everywhere and keeps the statistics."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.models import CallbackRequest, ContactAttempt
from calls.models import Call
from org.models import Customer
from org.privacy import ALREADY_ANONYMISED, customer_anonymise
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import CustomerFactory


@pytest.fixture
def clara(company):
    return CustomerFactory(name="Clara Kundin", phone="+49301234567", email="clara@example.test", notes="VIP")


@pytest.fixture
def clara_history(clara, mitte, anna):
    callback = AssignedCallbackFactory(
        branch=mitte,
        assigned_to=anna,
        customer=clara,
        customer_name="Clara Kundin",
        phone=clara.phone,
        customer_email="clara@example.test",
        notes="ruft wegen Rechnung an",
        status="completed",
        completed_at=timezone.now(),
    )
    ContactAttempt.objects.create(callback=callback, outcome="reached", note="Clara war freundlich")
    call = Call.objects.create(
        retell_call_id="call_clara",
        customer=clara,
        from_number="+49301234567",
        transcript="Hallo, hier ist Clara",
        summary="Clara möchte Rückruf",
        recording_url="https://x.test/rec",
        duration_ms=61000,
    )
    return callback, call


def test_anonymise_scrubs_the_customer_and_copies_of_their_data(clara, clara_history, ada):
    callback, call = clara_history

    customer_anonymise(customer=clara, by=ada.user)

    clara = Customer.objects.get(pk=clara.pk)
    assert (clara.phone, clara.email, clara.notes) == ("", "", "")
    assert "Clara" not in clara.name and clara.anonymised_at is not None
    callback = CallbackRequest.all_objects.get(pk=callback.pk)
    assert "Clara" not in callback.customer_name and not str(callback.phone) and callback.notes == ""
    assert callback.customer_email == ""
    assert ContactAttempt.objects.get(callback=callback).note == ""
    call = Call.objects.get(pk=call.pk)
    assert (call.from_number, call.transcript, call.summary, call.recording_url) == ("", "", "", "")


def test_anonymise_keeps_the_statistics(clara, clara_history, ada):
    callback, call = clara_history

    customer_anonymise(customer=clara, by=ada.user)

    callback = CallbackRequest.all_objects.get(pk=callback.pk)
    assert callback.status == "completed" and callback.completed_at is not None
    assert Call.objects.get(pk=call.pk).duration_ms == 61000
    assert CallbackRequest.all_objects.filter(customer=clara).count() == 1


def test_anonymising_twice_is_refused(clara, ada):
    customer_anonymise(customer=clara, by=ada.user)

    with pytest.raises(ValidationError) as error:
        customer_anonymise(customer=clara, by=ada.user)
    assert str(ALREADY_ANONYMISED) in error.value.messages


def test_admin_anonymises_from_the_customer_page(as_user, ada, clara):
    url = f"/admin/org/customer/{clara.pk}/anonymise/"
    client = as_user(ada)

    confirm = client.get(url)
    done = client.post(url)

    assert confirm.status_code == 200
    assert done.status_code == 302
    assert Customer.objects.get(pk=clara.pk).anonymised_at is not None


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_only_admins_may_anonymise(as_user, request, clara, role):
    response = as_user(request.getfixturevalue(role)).post(f"/admin/org/customer/{clara.pk}/anonymise/")

    assert response.status_code == 403
    assert Customer.objects.get(pk=clara.pk).anonymised_at is None


def test_customer_page_shows_history_scoped_to_what_the_viewer_may_see(as_user, anna, clara, nord, mitte):
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer=clara, customer_name="Clara Mitte")
    CallbackRequest.objects.create(branch=nord, customer=clara, phone="+49301234567", customer_name="Nord")

    response = as_user(anna).get(f"/admin/org/customer/{clara.pk}/change/")

    inline = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is CallbackRequest)
    assert [form.original.branch for form in inline] == [mitte]


def test_customer_search_by_phone_in_any_format(as_user, anna, clara):
    response = as_user(anna).get("/admin/org/customer/", {"q": "030 1234567"})

    assert list(response.context["cl"].result_list) == [clara]


def test_anonymising_cancels_open_callbacks_and_blanks_free_text_in_the_timeline(clara, mitte, ada):
    from callbacks import services
    from callbacks.models import CallbackEvent

    created = services.callback_create(branch_id=mitte.pk, phone=str(clara.phone), notes="Clara, Allergie")
    callback = created.callback

    customer_anonymise(customer=clara, by=ada.user)

    callback = CallbackRequest.all_objects.get(pk=callback.pk)
    assert callback.status == "cancelled"
    messages = str(list(CallbackEvent.objects.filter(callback=callback).values_list("message", flat=True)))
    assert "Clara" not in messages and "Allergie" not in messages


def test_anonymising_scrubs_the_audit_history_too(clara, mitte, ada):
    from callbacks import services

    callback = services.callback_create(
        branch_id=mitte.pk, phone=str(clara.phone), customer_name="Clara Kundin", notes="Allergie"
    ).callback

    customer_anonymise(customer=clara, by=ada.user)

    old_values = CallbackRequest.history.filter(id=callback.pk).values_list("customer_name", "phone", "notes")
    assert old_values.exists()
    assert all(
        "Clara" not in name and not phone and "Allergie" not in notes for name, phone, notes in old_values
    )
