"""`call_inbound`: before picking up, the agent learns who calls and what day it is (strings only)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from org.models import Service
from org.services import opening_hours_set
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.calls import signed_post
from tests.factories.org import CustomerFactory
from tests.integrations.retell.conftest import ACME_NUMBER, BERLIN, DANA_PHONE, GLOBEX_NUMBER

URL = "/webhooks/retell/inbound/"


def inbound(to_number: str = ACME_NUMBER, from_number: str = DANA_PHONE) -> dict:
    return {
        "event": "call_inbound",
        "event_timestamp": 1767279599871,
        "call_inbound": {"agent_id": "agent_1", "from_number": from_number, "to_number": to_number},
    }


def variables(response) -> dict[str, str]:
    assert response.status_code == 200, response.content
    return response.json()["call_inbound"]["dynamic_variables"]


def test_a_known_caller_is_greeted_with_name_and_next_appointment(acme, retell_client, clock):
    service = acme.branch.services.get(name="Beratung")
    start = datetime(2026, 3, 9, 14, 30, tzinfo=BERLIN)
    Appointment.objects.create(
        customer=acme.customer,
        service=service,
        branch=acme.branch,
        status="confirmed",
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    found = variables(signed_post(retell_client, URL, inbound()))
    assert found["company_name"] == "Acme Praxis"
    assert found["branch_name"] == "Praxis Mitte"
    assert (found["customer_known"], found["customer_name"]) == ("true", "Dana Ruiz")
    assert found["next_appointment"] == "Montag, 9. März um 14:30 Uhr"
    assert found["next_appointment_service"] == "Beratung"
    assert found["has_open_callback"] == "false"
    assert all(isinstance(value, str) for value in found.values())


def test_the_calendar_is_spelled_out_in_the_branch_timezone_and_company_language(acme, retell_client, clock):
    found = variables(signed_post(retell_client, URL, inbound()))
    assert found["today"] == "Mittwoch, 4. März 2026"
    assert found["weekday"] == "Mittwoch"
    assert found["tomorrow"] == "Donnerstag, 5. März 2026"
    assert found["next_monday"] == "Montag, 9. März 2026"
    assert found["current_time"].endswith("Uhr") and found["current_time"].startswith("10:")
    assert found["branch_open_now"] == "true"
    assert found["language"] == "de"


def test_an_english_company_hears_english(acme, retell_client, clock):
    acme.company.language = "en"
    acme.company.save(update_fields=["language"])
    found = variables(signed_post(retell_client, URL, inbound()))
    assert found["today"] == "Wednesday, 4 March 2026"
    assert found["next_monday"] == "Monday, 9 March 2026"


def test_a_closed_branch_says_so(acme, retell_client, clock):
    clock.move_to(datetime(2026, 3, 7, 10, 0, tzinfo=BERLIN), tick=False)  # Saturday
    found = variables(signed_post(retell_client, URL, inbound()))
    assert (found["branch_open_now"], found["weekday"]) == ("false", "Samstag")


def test_an_unknown_caller_and_an_open_callback(acme, retell_client, clock):
    CallbackRequestFactory(branch=acme.branch, phone="+4917099988877")
    found = variables(signed_post(retell_client, URL, inbound(from_number="+4917099988877")))
    assert (found["customer_known"], found["customer_name"], found["has_open_callback"]) == (
        "false",
        "",
        "true",
    )
    assert found["has_next_appointment"] == "false"


def test_a_withheld_number_is_answered(acme, retell_client, clock):
    found = variables(signed_post(retell_client, URL, inbound(from_number="")))
    assert (found["caller_number_withheld"], found["customer_known"]) == ("true", "false")


def test_an_unknown_number_is_404(acme, retell_client):
    assert signed_post(retell_client, URL, inbound(to_number="+4989000000")).status_code == 404


def test_a_bad_signature_is_401(acme, retell_client):
    assert signed_post(retell_client, URL, inbound(), key="key_wrong").status_code == 401


def test_the_dialled_number_decides_the_company(acme, globex, retell_client, clock):
    found = variables(signed_post(retell_client, URL, inbound(to_number=GLOBEX_NUMBER)))
    assert (found["company_name"], found["branch_name"]) == ("Globex Salon", "Salon Nord")
    assert found["customer_name"] == "Eve Globex"  # same phone as Dana, but Globex only knows Eve


def test_inbound_writes_nothing_and_reads_a_fixed_number_of_rows(acme, retell_client, clock):
    signed_post(retell_client, URL, inbound())  # warm up imports and connections
    with CaptureQueriesContext(connection) as queries:
        response = signed_post(retell_client, URL, inbound())
    assert response.status_code == 200
    assert not [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    reads = [q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    # host, number route, customer, next appointment, open callback (the branch directory is cached)
    assert len(reads) == 5


@pytest.mark.parametrize("body", [{"event": "call_inbound"}, {"event": "call_inbound", "call_inbound": {}}])
def test_a_malformed_inbound_request_is_400(acme, retell_client, body):
    assert signed_post(retell_client, URL, body).status_code == 400


def test_a_customer_known_only_by_number_has_no_name_to_say(acme, retell_client, clock):
    CustomerFactory(name="+4917012312312", phone="+4917012312312")  # created from an earlier call
    found = variables(signed_post(retell_client, URL, inbound(from_number="+4917012312312")))
    assert (found["customer_known"], found["customer_name"]) == ("true", "")


def _reads_branches(queries) -> bool:
    tables = ('FROM "org_branch"', 'FROM "org_openinghours"', 'FROM "org_closure"', 'FROM "org_service"')
    return any(table in query["sql"] for query in queries.captured_queries for table in tables)


def test_the_branch_directory_is_read_once_and_follows_every_change(acme, retell_client, clock):
    """Every call needs the branches, their hours, closures and services: read once, then from the cache,
    until any of them changes (integrations.handlers.branch_directory_forget_on_commit)."""
    with CaptureQueriesContext(connection) as first:
        before = variables(signed_post(retell_client, URL, inbound()))
    with CaptureQueriesContext(connection) as second:
        assert variables(signed_post(retell_client, URL, inbound())) == before
    assert _reads_branches(first) and not _reads_branches(second)

    with tenant_context(acme.company):
        Service.objects.create(name="Fußpflege", duration_minutes=45).branches.add(acme.branch)
    assert "Fußpflege" in variables(signed_post(retell_client, URL, inbound()))["branches"]

    with tenant_context(acme.company):
        opening_hours_set(branch=acme.branch, week={})
    assert variables(signed_post(retell_client, URL, inbound()))["branch_open_now"] == "false"

    with tenant_context(acme.company):
        acme.branch.name = "Praxis Zentrum"
        acme.branch.save()
    assert variables(signed_post(retell_client, URL, inbound()))["branch_name"] == "Praxis Zentrum"


def test_one_companys_cached_branches_never_answer_another_companys_call(acme, globex, retell_client, clock):
    assert variables(signed_post(retell_client, URL, inbound()))["branch_name"] == "Praxis Mitte"
    found = variables(signed_post(retell_client, URL, inbound(to_number=GLOBEX_NUMBER)))
    assert (found["company_name"], found["branch_name"]) == ("Globex Salon", "Salon Nord")
    assert "Praxis Mitte" not in found["branches"]
    assert variables(signed_post(retell_client, URL, inbound()))["branch_name"] == "Praxis Mitte"
