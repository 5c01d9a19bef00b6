"""A data-subject request: everything held about one person, as JSON, from the admin for admins only."""

import json

from callbacks.services import callback_record_contact_attempt
from org.models import Customer
from org.privacy import EXPORTED, customer_export
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import CustomerFactory
from tests.privacy.conftest import BOOKING_UID, CALL_ID, EMAIL, NAME, PHONE, SECRET_WORD


def test_the_export_holds_the_record_consents_callbacks_appointments_calls_and_messages(dana_everywhere):
    dana = dana_everywhere.customer
    callback = AssignedCallbackFactory(customer=dana, phone=PHONE, notes="Rückfrage zur Rechnung")
    callback_record_contact_attempt(callback=callback, outcome="no_answer", note="Mailbox voll")

    export = customer_export(dana)

    assert json.loads(json.dumps(export)) == export, "plain JSON types only"
    assert {k: export["customer"][k] for k in ("name", "phone", "email")} == {
        "name": NAME,
        "phone": PHONE,
        "email": EMAIL,
    }
    assert "consent_sms_at" in export["customer"] and f"mag {SECRET_WORD}" == export["customer"]["notes"]
    by_phone_agent, by_hand = export["callbacks"]
    assert SECRET_WORD in by_phone_agent["notes"] and by_phone_agent["contact_attempts"] == []
    assert by_hand["notes"] == "Rückfrage zur Rechnung"
    assert [a["note"] for a in by_hand["contact_attempts"]] == ["Mailbox voll"]
    [appointment] = export["appointments"]
    assert (appointment["service__name"], appointment["status"]) == ("Haarschnitt", "confirmed")
    [call] = export["calls"]
    assert call["retell_call_id"] == CALL_ID and SECRET_WORD in call["transcript"]
    assert call["collected_variables"] == {"caller_name": NAME, "email": EMAIL}
    assert [f["name"] for f in call["functions"]] == ["request_callback"]
    assert call["functions"][0]["arguments"]["name"] == NAME
    assert export["notifications"] and all(n["address"] in (EMAIL, PHONE) for n in export["notifications"])
    assert BOOKING_UID not in json.dumps(export["notifications"])


def test_the_export_holds_nothing_of_other_customers(dana_everywhere):
    other = CustomerFactory(name="Kim Other", phone="+4915199988877")
    CallbackRequestFactory(customer=other, phone=other.phone, customer_name="Kim Other", notes="Kims Sache")

    text = json.dumps(customer_export(dana_everywhere.customer))

    assert "Kim" not in text and "+4915199988877" not in text


def test_an_admin_downloads_the_export_and_the_audit_trail_records_it(dana_everywhere, as_user, ada):
    dana = dana_everywhere.customer

    response = as_user(ada).get(f"/admin/org/customer/{dana.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="customer-{dana.pk}.json"'
    assert response.json()["customer"]["name"] == NAME
    record = Customer.history.filter(id=dana.pk).order_by("-history_id").first()
    assert (record.history_change_reason, record.history_actor) == (EXPORTED, "user:ada@acme.test")


def test_the_export_button_is_on_the_customer_page_for_admins(dana_everywhere, as_user, ada):
    page = as_user(ada).get(f"/admin/org/customer/{dana_everywhere.customer.pk}/change/")

    assert f"/admin/org/customer/{dana_everywhere.customer.pk}/export/" in page.content.decode()


def test_staff_and_managers_cannot_export(dana_everywhere, as_user, anna, max_manager):
    dana = dana_everywhere.customer
    for person in (anna, max_manager):
        response = as_user(person).get(f"/admin/org/customer/{dana.pk}/export/")
        assert response.status_code in (302, 403), person
        assert "attachment" not in response.get("Content-Disposition", "")
    assert not Customer.history.filter(id=dana.pk, history_change_reason=EXPORTED).exists()
