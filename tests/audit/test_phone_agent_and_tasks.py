"""Changes made by the phone agent and by background tasks name them as the actor."""

import pytest
from django_tenants.utils import tenant_context

from callbacks.models import CallbackRequest
from common.audit import PHONE_AGENT, SYSTEM, acting_as, current_actor
from config.celery import app
from org.models import Customer
from tests.factories.org import CustomerFactory
from tests.integrations.retell.conftest import acme, call_function, retell_client  # noqa: F401


@app.task(name="tests.audit.rename_customer")
def rename_customer(customer_id: int, name: str) -> None:
    customer = Customer.objects.get(pk=customer_id)
    customer.name = name
    customer.save(update_fields=["name"])


@pytest.mark.usefixtures("clock")
def test_a_callback_requested_on_the_phone_is_recorded_as_the_phone_agent(acme, call_function):  # noqa: F811
    reply = call_function("request_callback", {"reason": "Frage zur Rechnung"}, call_id="call_audit")

    assert reply["status"] == "created"
    with tenant_context(acme.company):
        record = CallbackRequest.history.get()
    assert record.history_type == "+"
    assert record.history_actor == PHONE_AGENT
    assert record.history_user is None


def test_a_change_made_by_a_task_is_recorded_as_the_system(company):
    customer = CustomerFactory(name="Dana")

    rename_customer.apply(args=[customer.pk, "Dana Ruiz"])

    record = customer.history.latest("history_date")
    assert (record.name, record.history_actor) == ("Dana Ruiz", SYSTEM)


def test_acting_as_ends_with_its_block():
    with acting_as("api-key:crm"):
        assert current_actor() == "api-key:crm"
    assert current_actor() == ""
