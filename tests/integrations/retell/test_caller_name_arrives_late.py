"""The caller's name: a new caller's record is made under their number when the call starts; when the
analysis or the collected variables bring the name later, the record and their open callback take it.

Signed Retell deliveries over HTTP (events processed after commit, eagerly), a signed function request.
"""

from functools import partial

import pytest
from django_tenants.utils import tenant_context

from callbacks.models import CallbackRequest
from org.models import Customer
from tests.factories.calls import analyzed, call_object, signed_post
from tests.integrations.retell.conftest import ACME_NUMBER

NEW_CALLER = "+4917055501234"
URL = "/webhooks/retell/"


@pytest.fixture
def deliver(retell_client, django_capture_on_commit_callbacks):
    def send(name: str, call: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_post(retell_client, URL, {"event": name, "call": call})
        assert response.status_code == 204
        return response

    return send


def test_the_name_from_the_analysis_replaces_the_number_on_record_and_callback(acme, deliver, call_function):
    deliver("call_started", call_object("call_n", to_number=ACME_NUMBER, from_number=NEW_CALLER))
    with tenant_context(acme.company):
        assert Customer.objects.get(phone=NEW_CALLER).name == NEW_CALLER, "made under the number"
    reply = partial(call_function, call_id="call_n", from_number=NEW_CALLER)(
        "request_callback", {"reason": "Befund"}
    )
    assert reply["ok"] is True

    deliver(
        "call_analyzed",
        analyzed(
            "call_n", to_number=ACME_NUMBER, from_number=NEW_CALLER, custom={"customer_name": "Nina Neu"}
        ),
    )

    with tenant_context(acme.company):
        assert Customer.objects.get(phone=NEW_CALLER).name == "Nina Neu"
        assert CallbackRequest.objects.get().customer_name == "Nina Neu"


def test_a_name_collected_by_the_agent_also_counts(acme, deliver):
    deliver("call_started", call_object("call_c", to_number=ACME_NUMBER, from_number=NEW_CALLER))

    deliver(
        "call_ended",
        {
            **call_object("call_c", to_number=ACME_NUMBER, from_number=NEW_CALLER),
            "call_status": "ended",
            "collected_dynamic_variables": {"customer_name": "<b>Nina</b> Neu"},
        },
    )

    with tenant_context(acme.company):
        assert Customer.objects.get(phone=NEW_CALLER).name == "Nina Neu", "markup stripped"


def test_a_name_on_record_is_never_overwritten(acme, deliver):
    deliver("call_started", call_object("call_k", to_number=ACME_NUMBER))  # Dana, known by name

    deliver("call_analyzed", analyzed("call_k", to_number=ACME_NUMBER, custom={"customer_name": "Danny"}))

    with tenant_context(acme.company):
        assert Customer.objects.get(pk=acme.customer.pk).name == "Dana Ruiz"


def test_a_callback_someone_named_by_hand_keeps_that_name(acme, deliver):
    deliver("call_started", call_object("call_h", to_number=ACME_NUMBER, from_number=NEW_CALLER))
    with tenant_context(acme.company):
        CallbackRequest.objects.create(
            branch=acme.branch,
            phone=NEW_CALLER,
            customer=Customer.objects.get(phone=NEW_CALLER),
            customer_name="Frau Neu (Tochter)",
        )

    deliver(
        "call_analyzed",
        analyzed(
            "call_h", to_number=ACME_NUMBER, from_number=NEW_CALLER, custom={"customer_name": "Nina Neu"}
        ),
    )

    with tenant_context(acme.company):
        assert CallbackRequest.objects.get().customer_name == "Frau Neu (Tochter)"
        assert Customer.objects.get(phone=NEW_CALLER).name == "Nina Neu"


def test_a_record_made_under_the_number_on_an_earlier_call_takes_the_name(acme, deliver):
    with tenant_context(acme.company):
        Customer.objects.create(name=NEW_CALLER, phone=NEW_CALLER)

    deliver(
        "call_analyzed",
        analyzed(
            "call_late", to_number=ACME_NUMBER, from_number=NEW_CALLER, custom={"customer_name": "Nina Neu"}
        ),
    )

    with tenant_context(acme.company):
        assert list(Customer.objects.filter(phone=NEW_CALLER).values_list("name", flat=True)) == ["Nina Neu"]
