"""Intake stores a new Retell event with one INSERT: no SELECT before it (issue 16 measured 14 queries per
intake, storing with get_or_create inside a savepoint). A duplicate is read after its INSERT fails."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from integrations.models import WebhookEvent
from tests.factories.calls import ended, signed_post
from tests.integrations.retell.conftest import ACME_NUMBER


def _deliver(retell_client, body: dict) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = signed_post(retell_client, "/webhooks/retell/", body)
    assert response.status_code == 204, response.content
    return [query["sql"] for query in queries.captured_queries]


def _on_inbox(statements: list[str]) -> list[str]:
    return [sql.split()[0] for sql in statements if '"integrations_webhookevent"' in sql]


def test_a_new_event_is_one_insert_and_a_duplicate_one_more_select(
    acme, retell_client, django_capture_on_commit_callbacks
):
    body = {"event": "call_ended", "call": ended("call_queries_1", to_number=ACME_NUMBER)}

    with django_capture_on_commit_callbacks() as queued:
        new = _deliver(retell_client, body)
    duplicate = _deliver(retell_client, body)

    assert _on_inbox(new) == ["INSERT"]
    assert _on_inbox(duplicate) == ["INSERT", "SELECT"]
    assert len(queued) == 1, "processing is queued for the new event only"
    with tenant_context(acme.company):
        assert WebhookEvent.objects.filter(external_id="call_queries_1").count() == 1


def test_the_schema_rides_on_the_statements_instead_of_round_trips_of_its_own(acme, retell_client):
    """Issue 16 counted 14 statements per intake, 7 of them a `SET search_path` of their own. The schema is
    now set inside each transaction, in the message of its first statement (common.db.backend): once for
    the public lookups (host, number), once for the company's INSERT."""
    statements = _deliver(
        retell_client, {"event": "call_ended", "call": ended("call_queries_2", to_number=ACME_NUMBER)}
    )

    assert not [sql for sql in statements if sql.startswith("SET search_path")]
    assert [sql.split(";")[0] for sql in statements if sql.startswith("SET LOCAL search_path")] == [
        'SET LOCAL search_path = "public"',
        'SET LOCAL search_path = "acme","public"',
    ]
