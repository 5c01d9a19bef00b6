"""Anonymising a customer leaves nothing of them in any table of the company's schema.

The search is generic on purpose: every text, JSON and array column of every table (history tables, the
inbox of raw webhook bodies, function invocations, notification and outbound webhook logs, and whatever
table comes next) is searched for the customer's name, number (E.164 and national), email address and a
word only said on their call.
"""

from django.db import connection
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from calls.models import Call, FunctionInvocation
from integrations.models import WebhookEvent
from notifications.models import NotificationDelivery
from org.privacy import customer_anonymise
from tests.privacy.conftest import traces, where_found


def test_the_customers_data_is_really_everywhere_before_anonymising(dana_everywhere, company):
    """The proof below means something only if every door really stored the data."""
    found = {table for table, _column, _needle in where_found(company.schema_name, traces())}
    assert Call.objects.get().collected_variables
    assert FunctionInvocation.objects.filter(name="request_callback").exists()
    assert CallbackRequest.objects.exists() and Appointment.objects.exists()
    assert NotificationDelivery.objects.filter(customer=dana_everywhere.customer).exists()
    assert WebhookEvent.objects.filter(source="calcom").exists()
    for table in (
        "org_customer",
        "org_historicalcustomer",
        "calls_call",
        "calls_functioninvocation",
        "integrations_webhookevent",
        "callbacks_callbackrequest",
        "notifications_notificationdelivery",
        "django_admin_log",
    ):
        assert table in found, table


def test_anonymising_leaves_no_trace_of_the_customer_in_any_column(dana_everywhere, company):
    customer_anonymise(customer=dana_everywhere.customer)

    left = where_found(company.schema_name, traces())
    assert not left, "still found: " + "; ".join(
        f"{table}.{column} has {needle!r}" for table, column, needle in left
    )


def test_anonymising_keeps_what_the_statistics_need(dana_everywhere, company):
    customer_anonymise(customer=dana_everywhere.customer)

    call = Call.objects.get()
    assert (call.retell_call_id, call.duration_ms, call.stage) == ("call_7f3a91c2e04b", 101776, 3)
    assert Appointment.objects.get().calcom_booking_uid == "uid-7f3a91c2e04b"
    assert WebhookEvent.objects.filter(status=WebhookEvent.Status.PROCESSED).count() >= 3
    assert FunctionInvocation.objects.get(name="request_callback").succeeded


def test_anonymising_at_one_company_leaves_the_same_person_at_another_untouched(
    dana_everywhere, company, other_company
):
    customer_anonymise(customer=dana_everywhere.customer)

    with tenant_context(other_company):
        assert {needle for *_where, needle in where_found(other_company.schema_name, traces())} >= {
            "Dana Quixbury",
            "+4917612398765",
            "dana.quixbury@example.test",
        }
    connection.set_tenant(company)
