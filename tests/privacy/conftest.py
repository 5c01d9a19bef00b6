"""Dana Quixbury, a customer of Acme who left her data everywhere, through the real entry points.

She called Acme's number (+49 30 901820, answered by the Retell agent; the call's transcript, analysis and
collected variables name her and her "Quokkaweide"), asked the agent for a callback (a function call), and
booked a haircut in Acme's Cal.com (a signed webhook; her booking confirmation is a notification); Ada edited
her and her callback in the admin (its log names them). Globex
has a customer with her very number: anonymising Dana at Acme must not touch Globex.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import phonenumbers
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from callbacks.models import CallbackRequest
from integrations.calcom.signature import calcom_signature
from org.models import Customer
from tenants.services import phone_route_add
from tests.audit.conftest import as_user  # noqa: F401  (the admin tests log in as the personas)
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.calls import analyzed, call_object, signed_post
from tests.factories.org import CustomerFactory, ServiceFactory
from tests.factories.webhooks import WebhookEndpointFactory

ACME_NUMBER = "+4930901820"
NAME, PHONE, EMAIL = "Dana Quixbury", "+4917612398765", "dana.quixbury@example.test"
SECRET_WORD = "Quokkaweide"  # said on the call, written nowhere else
CALL_ID, BOOKING_UID = "call_7f3a91c2e04b", "uid-7f3a91c2e04b"
CALCOM_SECRET = "whsec-acme-calcom-privacy"
EVENT_TYPE = 4343


def traces() -> list[str]:
    """Every form in which Dana's data could be stored."""
    number = phonenumbers.parse(PHONE)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return [
        NAME,
        "Quixbury",
        PHONE,
        PHONE.removeprefix("+"),
        national,
        national.replace(" ", ""),
        EMAIL,
        SECRET_WORD,
    ]


@dataclass
class Dana:
    customer: Customer
    globex_twin: Customer


def _retell_events(client: Client, capture) -> None:
    started = call_object(CALL_ID, to_number=ACME_NUMBER, from_number=PHONE)
    analysis = {
        "call_summary": f"{NAME} möchte zurückgerufen werden wegen {SECRET_WORD}.",
        "user_sentiment": "Neutral",
        "call_successful": True,
        "in_voicemail": False,
        "custom_analysis_data": {"caller_name": NAME, "topic": SECRET_WORD},
    }
    ended = analyzed(
        CALL_ID,
        to_number=ACME_NUMBER,
        from_number=PHONE,
        transcript=f"Agent: Praxis Acme.\nUser: Hier ist {NAME}, es geht um {SECRET_WORD}.\n",
        transcript_object=[{"role": "user", "content": f"Hier ist {NAME}, {SECRET_WORD}.", "words": []}],
        collected_dynamic_variables={"caller_name": NAME, "email": EMAIL},
        call_analysis=analysis,
    )
    for body in ({"event": "call_started", "call": started}, {"event": "call_analyzed", "call": ended}):
        with capture(execute=True):
            assert signed_post(client, "/webhooks/retell/", body).status_code == 204


def _function_call(client: Client, capture) -> None:
    body = {
        "name": "request_callback",
        "args": {"name": NAME, "reason": f"Frage zu {SECRET_WORD}, Mail an {EMAIL}"},
        "call": call_object(CALL_ID, to_number=ACME_NUMBER, from_number=PHONE),
    }
    with capture(execute=True):
        response = signed_post(client, "/webhooks/retell/functions/", body)
    assert response.status_code == 200 and response.json()["ok"], response.content


def _calcom_booking(client: Client, capture, company, start) -> None:
    attendee = {"email": EMAIL, "name": NAME, "timeZone": "Europe/Berlin", "phoneNumber": PHONE}
    end = start.replace(minute=30)
    payload = {
        "uid": BOOKING_UID,
        "bookingId": 777001,
        "eventTypeId": EVENT_TYPE,
        "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "ACCEPTED",
        "attendees": [attendee],
        "responses": {"notes": {"value": f"Bitte an {SECRET_WORD} denken"}},
        "description": f"Bitte an {SECRET_WORD} denken",
    }
    raw = json.dumps(
        {"triggerEvent": "BOOKING_CREATED", "createdAt": "2026-03-04T09:00:00Z", "payload": payload}
    )
    signature = calcom_signature(raw.encode(), CALCOM_SECRET)
    with capture(execute=True):
        response = client.post(
            f"/webhooks/calcom/{company.slug}",
            raw.encode(),
            content_type="application/json",
            HTTP_X_CAL_SIGNATURE_256=signature,
        )
    assert response.status_code == 200, response.content


def _admin_edits(editor, customer) -> None:
    """What the admin records when Ada changes Dana and her callback: entries naming them as they were."""
    changed = [{"changed": {"fields": ["Notes"]}}]
    objects = [customer, *CallbackRequest.objects.filter(customer=customer)]
    LogEntry.objects.log_actions(editor.user.pk, objects, CHANGE, changed)


@pytest.fixture
def dana_everywhere(company, other_company, mitte, ada, clock, django_capture_on_commit_callbacks) -> Dana:
    """Dana's data, put in only through the doors it really comes through."""
    company.calcom_webhook_secret = CALCOM_SECRET
    company.save()
    phone_route_add(company=company, number=ACME_NUMBER, branch_id=mitte.pk)
    haircut = ServiceFactory(name="Haarschnitt", branches=[mitte], duration_minutes=30)
    EventTypeMappingFactory(service=haircut, event_type_id=EVENT_TYPE)
    WebhookEndpointFactory(url="http://127.0.0.1:9/hooks")  # the company's CRM hears about everything
    customer = CustomerFactory(name=NAME, phone=PHONE, email=EMAIL, notes=f"mag {SECRET_WORD}")
    with tenant_context(other_company):
        twin = CustomerFactory(name=NAME, phone=PHONE, email=EMAIL, notes=f"mag {SECRET_WORD}")
    connection.set_tenant(company)

    public = Client(HTTP_HOST="localhost")
    _retell_events(public, django_capture_on_commit_callbacks)
    connection.set_tenant(company)
    _function_call(public, django_capture_on_commit_callbacks)
    connection.set_tenant(company)
    _calcom_booking(
        public, django_capture_on_commit_callbacks, company, datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    )
    connection.set_tenant(company)
    _admin_edits(ada, customer)
    return Dana(customer=customer, globex_twin=twin)


def text_columns(schema: str) -> list[tuple[str, str]]:
    """(table, column) for every column of the schema that can hold text: strings, JSON, arrays."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
            ORDER BY 1, 2
            """,
            [schema],
        )
        return list(cursor.fetchall())


def where_found(schema: str, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every column of the schema holding one of the needles (any case)."""
    hits = []
    with connection.cursor() as cursor:
        for table, column in text_columns(schema):
            for needle in needles:
                cursor.execute(
                    f'SELECT 1 FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                    [f"%{needle}%"],
                )
                if cursor.fetchone():
                    hits.append((table, column, needle))
    return hits
