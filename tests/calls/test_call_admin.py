"""The calls screens: list, detail with what the agent did, monthly usage, and the webhook event log."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import tenant_context

from calls.models import Call
from integrations.models import WebhookEvent
from tests.factories.appointments import AppointmentFactory
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.calls import CallFactory, FunctionInvocationFactory, ended
from tests.factories.org import BranchFactory, CustomerFactory

BERLIN = ZoneInfo("Europe/Berlin")


def login(tenant_client, staff):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(staff.user)
    return tenant_client


def a_call(n: int, **fields) -> Call:
    branch = fields.pop("branch", None) or BranchFactory()
    return CallFactory(
        branch=branch,
        customer=CustomerFactory(),
        started_at=datetime(2026, 3, 4, 10, n % 60, tzinfo=BERLIN),
        duration_ms=90_000,
        cost_cents=Decimal("12.5"),
        converted_cost_cents=Decimal("11.5"),
        cost_currency="EUR",
        **fields,
    )


def test_the_call_list_costs_the_same_queries_for_3_and_30_calls(tenant_client, ada):
    client = login(tenant_client, ada)
    url = reverse("admin:calls_call_changelist")
    for n in range(3):
        a_call(n)
    client.get(url)  # warm the sidebar's cached badges
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(3, 30):
        a_call(n)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert b"0.12 EUR" in response.content or b"0.11 EUR" in response.content


def test_the_call_detail_shows_summary_transcript_recording_functions_and_cost(tenant_client, ada):
    call = a_call(
        1,
        summary="Wollte einen Termin verschieben.",
        transcript="Agent: Grüß Gott!",
        recording_url="https://example-bucket.retellai.com/rec.wav",
    )
    FunctionInvocationFactory(
        call=call,
        name="book_appointment",
        arguments={"service": "Beratung"},
        result={"ok": True, "message": "Ihr Termin ist gebucht."},
        duration_ms=120,
    )
    booked = AppointmentFactory(
        call=call, branch=call.branch, starts_at=datetime(2026, 3, 9, 14, 30, tzinfo=BERLIN)
    )
    left = CallbackRequestFactory(call=call, branch=call.branch)
    response = login(tenant_client, ada).get(reverse("admin:calls_call_change", args=[call.pk]))
    content = response.content.decode()
    assert reverse("admin:appointments_appointment_change", args=[booked.pk]) in content
    assert "09.03.2026 14:30" in content
    assert reverse("admin:callbacks_callbackrequest_change", args=[left.pk]) in content
    assert response.status_code == 200
    for expected in (
        "Wollte einen Termin verschieben.",
        "Agent: Grüß Gott!",
        "https://example-bucket.retellai.com/rec.wav",
        "book_appointment",
        "Ihr Termin ist gebucht.",
        "11.5",
    ):
        assert expected in content, expected


def test_staff_see_calls_and_what_the_agent_did(tenant_client, anna, mitte):
    call = a_call(2, branch=mitte)  # Anna's branch: another branch's calls are not hers (org.access)
    FunctionInvocationFactory(call=call, name="check_customer")
    client = login(tenant_client, anna)
    assert client.get(reverse("admin:calls_call_changelist")).status_code == 200
    assert b"check_customer" in client.get(reverse("admin:calls_call_change", args=[call.pk])).content
    assert client.get(reverse("admin:integrations_webhookevent_changelist")).status_code == 403


def test_a_german_reader_sees_minutes_and_cost_with_a_decimal_comma(tenant_client, ada):
    CallFactory(duration_ms=90_000, converted_cost_cents=Decimal("1092"), cost_currency="EUR")
    client = login(tenant_client, ada)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    content = client.get(reverse("admin:calls_call_changelist")).content.decode()

    assert ">1,5<" in content and "10,92 EUR" in content
    assert ">1.5<" not in content


def test_monthly_usage_sums_minutes_and_cost(tenant_client, ada):
    branch = BranchFactory()
    for n in range(4):
        a_call(n, branch=branch)
    CallFactory(
        started_at=datetime(2026, 2, 10, 9, tzinfo=BERLIN),
        duration_ms=30_000,
        cost_cents=Decimal("5"),
        converted_cost_cents=Decimal("4.6"),
        cost_currency="EUR",
    )
    response = login(tenant_client, ada).get(reverse("admin:calls_call_usage"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "March 2026" in content and "February 2026" in content
    assert ">6.0<" in content  # 4 calls × 1.5 minutes
    assert ">0.46<" in content  # 11.5 cents × 4 = 0.46 EUR


def test_the_webhook_log_lists_events_and_reprocesses_them(
    company, tenant_client, ada, django_capture_on_commit_callbacks
):
    failed = WebhookEvent.objects.create(
        source="retell",
        event="call_ended",
        external_id="call_w",
        body={"event": "call_ended", "call": ended("call_w", to_number="+4930901820")},
        status="failed",
        error="boom",
        attempts=1,
    )
    client = login(tenant_client, ada)
    listing = client.get(reverse("admin:integrations_webhookevent_changelist"))
    assert listing.status_code == 200 and b"call_w" in listing.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:integrations_webhookevent_changelist"),
            {"action": "reprocess", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    connection.set_tenant(company)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("processed", 2)
    assert Call.objects.filter(retell_call_id="call_w").exists()


def test_another_company_sees_none_of_these_calls(company, other_company, client_for, eve):
    acme_call = a_call(5)
    globex = client_for(other_company)
    with tenant_context(other_company):
        globex.force_login(eve.user)
    response = globex.get(reverse("admin:calls_call_changelist"))
    assert response.status_code == 200
    assert acme_call.retell_call_id.encode() not in response.content
    assert globex.get(reverse("admin:calls_call_change", args=[acme_call.pk])).status_code in (302, 404)


def test_retell_call_status_and_sentiment_read_german_in_the_list(tenant_client, ada):
    """Retell sends `call_status` "ongoing" and `user_sentiment` "Negative"; a German reader saw them raw."""
    a_call(1, status="ongoing", sentiment="Negative")
    a_call(2, status="ended")
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    tenant_client.force_login(ada.user)

    html = tenant_client.get(reverse("admin:calls_call_changelist")).content.decode()

    assert "Läuft" in html and "Beendet" in html and "Negativ" in html
    assert ">ongoing<" not in html and ">ended<" not in html
