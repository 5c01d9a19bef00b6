"""Issue 14, probed as an attacker: every public endpoint answers 4xx naming the problem, never 500, and a
refused request writes nothing anywhere. Mallory sends the bodies; Dana's call to Acme is the real one."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from callbacks.models import CallbackRequest
from calls.models import Call, FunctionInvocation
from common.webhook_body import (
    BAD_UNICODE,
    DUPLICATE_KEY,
    MAX_DEPTH,
    NOT_A_NUMBER,
    NUL_CHARACTER,
    TOO_DEEP,
    TOO_LONG,
    WRONG_CONTENT_TYPE,
)
from integrations.calcom.views import NOT_ACCEPTED
from integrations.retell.functions import info
from notifications.channels.twilio import request_signature
from notifications.webhooks import LIMITS as TWILIO_LIMITS
from tests.factories.calls import call_object, ended
from tests.integrations.hostile import (
    CALCOM_SECRET,
    RETELL_URLS,
    as_json,
    calcom_post,
    nested,
    retell_post,
    row_counts,
)
from tests.integrations.retell.conftest import ACME_NUMBER, DANA_PHONE, GLOBEX_NUMBER

pytestmark = pytest.mark.django_db
EVENTS, INBOUND, FUNCTIONS = RETELL_URLS


@pytest.fixture
def untouched(acme, globex):
    """Asserts, after the test, that no row was added in Acme, Globex or public."""
    before = row_counts(acme.company, globex.company)
    yield
    assert row_counts(acme.company, globex.company) == before


def call_started(call_id: str = "call_h", **extra) -> dict:
    return {"event": "call_started", "call": call_object(call_id, to_number=ACME_NUMBER, **extra)}


def refusal(response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["field"]


# --- Retell -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", RETELL_URLS)
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("shape", ["objects", "arrays"])
def test_ten_thousand_nested_levels_are_refused_not_a_recursion_error(
    retell_client, untouched, url, signed, shape
):
    raw = nested(10_000) if shape == "objects" else "[" * 10_000 + "]" * 10_000
    response = retell_post(retell_client, url, raw, signed=signed)
    assert refusal(response) == (400, TOO_DEEP.format(limit=MAX_DEPTH), "")


def test_an_event_name_longer_than_its_column_is_refused_before_anything_is_written(retell_client, untouched):
    body = {**call_started(), "event": "e" * 70}
    response = retell_post(retell_client, EVENTS, as_json(body))
    assert refusal(response) == (400, TOO_LONG.format(field="event", limit=64), "event")


def test_a_five_thousand_character_call_id_is_refused_instead_of_failing_for_ever(retell_client, untouched):
    response = retell_post(retell_client, EVENTS, as_json(call_started("c" * 5000)))
    assert refusal(response)[0::2] == (400, "call.call_id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event": "call_ended", "call": ended("call_n", to_number=ACME_NUMBER, transcript="Hallo\x00")},
         "call.transcript"),
        ({**call_started(), "event": "call_started\x00"}, "event"),
        (call_started("call\x00n"), "call.call_id"),
    ],
    ids=["transcript", "event", "call_id"],
)  # fmt: skip
def test_a_nul_character_in_a_call_event_is_refused(retell_client, untouched, body, field):
    response = retell_post(retell_client, EVENTS, as_json(body))
    assert refusal(response) == (400, NUL_CHARACTER, field)


@pytest.mark.parametrize(
    ("name", "args", "field"),
    [
        ("list_services", {"service": "Bera\x00tung"}, "args.service"),
        ("list_\x00services", {}, "name"),
        ("request_callback", {"reason": "Rückruf", "junk": "\x00"}, "args.junk"),
    ],
    ids=["in args", "in the name", "junk next to a callback request"],
)
def test_a_nul_character_in_a_function_call_creates_no_call_and_no_callback(
    retell_client, untouched, clock, name, args, field
):
    body = {"name": name, "args": args, "call": call_object("call_f", to_number=ACME_NUMBER)}
    response = retell_post(retell_client, FUNCTIONS, as_json(body))
    assert refusal(response) == (400, NUL_CHARACTER, field)


def test_a_lone_surrogate_and_not_a_number_are_refused(retell_client, untouched):
    surrogate = as_json(call_started()).replace("ongoing", "\\ud800")
    assert refusal(retell_post(retell_client, EVENTS, surrogate)) == (400, BAD_UNICODE, "call.call_status")
    infinite = as_json(call_started()).replace('{"event"', '{"x": 1e999, "event"', 1)
    assert refusal(retell_post(retell_client, EVENTS, infinite))[:2] == (400, NOT_A_NUMBER)


def test_a_repeated_to_number_cannot_route_an_event_into_the_other_company(retell_client, untouched):
    raw = as_json(call_started()).replace(
        f'"to_number": "{ACME_NUMBER}"', f'"to_number": "{ACME_NUMBER}", "to_number": "{GLOBEX_NUMBER}"'
    )
    response = retell_post(retell_client, EVENTS, raw)
    assert refusal(response) == (400, DUPLICATE_KEY.format(key="to_number"), "to_number")


@pytest.mark.parametrize("url", RETELL_URLS)
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"]
)
def test_retell_accepts_only_json_bodies(retell_client, untouched, url, content_type):
    response = retell_post(retell_client, url, as_json(call_started()), content_type=content_type)
    expected = WRONG_CONTENT_TYPE.format(expected="application/json")
    assert refusal(response) == (415, expected, "Content-Type")


def test_json_with_a_utf8_charset_is_accepted(acme, retell_client):
    raw = as_json(call_started())
    response = retell_post(retell_client, EVENTS, raw, content_type="application/json; charset=UTF-8")
    assert response.status_code == 204


def test_a_javascript_recording_url_is_dropped_and_the_call_still_recorded(
    acme, retell_client, django_capture_on_commit_callbacks, caplog
):
    call = ended("call_js", to_number=ACME_NUMBER, recording_url="javascript:alert(document.cookie)")
    with django_capture_on_commit_callbacks(execute=True):
        response = retell_post(retell_client, EVENTS, as_json({"event": "call_ended", "call": call}))
    assert response.status_code == 204
    with tenant_context(acme.company):
        recorded = Call.objects.get(retell_call_id="call_js")
    assert (recorded.stage, recorded.recording_url) == (Call.Stage.ENDED, "")
    assert "unusable recording_url dropped" in caplog.text


def test_a_too_long_recording_url_is_dropped_too(acme, retell_client, django_capture_on_commit_callbacks):
    call = ended("call_long", to_number=ACME_NUMBER, recording_url="https://r.example/" + "a" * 2000)
    with django_capture_on_commit_callbacks(execute=True):
        retell_post(retell_client, EVENTS, as_json({"event": "call_ended", "call": call}))
    with tenant_context(acme.company):
        assert Call.objects.get(retell_call_id="call_long").recording_url == ""


def test_a_timestamp_beyond_any_calendar_is_dropped_not_fatal(
    acme, retell_client, django_capture_on_commit_callbacks
):
    call = ended("call_far", to_number=ACME_NUMBER, end_timestamp=10**20)
    with django_capture_on_commit_callbacks(execute=True):
        retell_post(retell_client, EVENTS, as_json({"event": "call_ended", "call": call}))
    with tenant_context(acme.company):
        recorded = Call.objects.get(retell_call_id="call_far")
    assert (recorded.stage, recorded.ended_at) == (Call.Stage.ENDED, None)


def test_a_failing_function_leaves_its_invocation_record_and_nothing_else(
    acme, retell_client, clock, monkeypatch
):
    def broken_reply(*args, **kwargs):
        raise RuntimeError("the reply could not be built")

    monkeypatch.setattr(info, "_callback_reply", broken_reply)  # fails after the callback was created
    body = {
        "name": "request_callback",
        "args": {"reason": "Frage zur Rechnung"},
        "call": call_object("call_fail", to_number=ACME_NUMBER, from_number=DANA_PHONE),
    }
    response = retell_post(retell_client, FUNCTIONS, as_json(body))
    assert (response.status_code, response.json()["status"]) == (200, "error")
    with tenant_context(acme.company):
        assert not CallbackRequest.objects.exists()
        [invocation] = FunctionInvocation.objects.all()
    assert (invocation.name, invocation.succeeded) == ("request_callback", False)
    assert invocation.error == "RuntimeError: the reply could not be built"


# --- Cal.com ------------------------------------------------------------------------------------------


@pytest.fixture
def acme_with_calcom_secret(acme):
    acme.company.calcom_webhook_secret = CALCOM_SECRET
    acme.company.save()
    return acme


def test_calcom_answers_an_unknown_slug_and_an_unconfigured_company_alike(acme, globex, untouched):
    client = Client(HTTP_HOST="localhost")
    raw = as_json({"triggerEvent": "BOOKING_CREATED", "payload": {"uid": "uid-1"}}).encode()
    unknown = calcom_post(client, "nobody-here", raw)
    unconfigured = calcom_post(client, globex.company.slug, raw)
    assert (unknown.status_code, unknown.json()) == (unconfigured.status_code, unconfigured.json())
    assert (unknown.status_code, unknown.json()["error"]) == (401, NOT_ACCEPTED)


def test_calcom_refuses_a_bad_signature_with_the_same_answer(acme_with_calcom_secret, untouched):
    raw = as_json({"triggerEvent": "BOOKING_CREATED", "payload": {"uid": "uid-1"}}).encode()
    response = calcom_post(
        Client(HTTP_HOST="localhost"), acme_with_calcom_secret.company.slug, raw, signed=False
    )
    assert (response.status_code, response.json()["error"]) == (401, NOT_ACCEPTED)


@pytest.mark.parametrize(
    ("raw", "status", "field"),
    [
        (nested(10_000), 400, ""),
        ('{"triggerEvent": "BOOKING_CREATED", "triggerEvent": "BOOKING_CANCELLED"}', 400, "triggerEvent"),
        (as_json({"triggerEvent": "BOOKING_CREATED", "payload": {"uid": "u\x00"}}), 400, "payload.uid"),
        (as_json({"triggerEvent": "B" * 70}), 400, "triggerEvent"),
        (as_json({"triggerEvent": "BOOKING_CREATED", "payload": {"uid": "u" * 200}}), 400, "payload.uid"),
    ],
    ids=["deep", "duplicate key", "nul", "long trigger", "long uid"],
)
def test_calcom_refuses_hostile_signed_bodies(acme_with_calcom_secret, untouched, raw, status, field):
    response = calcom_post(Client(HTTP_HOST="localhost"), acme_with_calcom_secret.company.slug, raw.encode())
    assert (response.status_code, response.json()["field"]) == (status, field)


def test_calcom_accepts_only_json(acme_with_calcom_secret, untouched):
    response = calcom_post(
        Client(HTTP_HOST="localhost"), acme_with_calcom_secret.company.slug, b"a=1", content_type="text/plain"
    )
    assert response.status_code == 415


# --- Twilio -------------------------------------------------------------------------------------------


@pytest.fixture
def twilio_company(acme):
    acme.company.twilio_auth_token = "hostile-twilio-token"
    acme.company.save()
    return acme


def twilio_post(tenant_client, fields: dict, **extra):
    url = "http://acme.localhost/notifications/twilio/status/"
    signature = request_signature(url, fields, "hostile-twilio-token")
    extra.setdefault("content_type", "application/x-www-form-urlencoded")
    return tenant_client.post(
        "/notifications/twilio/status/", urlencode(fields), HTTP_X_TWILIO_SIGNATURE=signature, **extra
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"MessageSid": "SM\x00", "MessageStatus": "delivered"}, "MessageSid"),
        ({"MessageSid": "SM1", "MessageStatus": "deliv\x00ered"}, "MessageStatus"),
        ({"MessageSid": "S" * (TWILIO_LIMITS["MessageSid"] + 1), "MessageStatus": "failed"}, "MessageSid"),
    ],
    ids=["nul in the sid", "nul in the status", "long sid"],
)
def test_twilio_receipts_with_hostile_fields_are_refused(
    twilio_company, tenant_client, untouched, fields, field
):
    response = twilio_post(tenant_client, fields)
    assert (response.status_code, response.json()["field"]) == (400, field)


def test_twilio_receipts_must_be_form_encoded(twilio_company, tenant_client, untouched):
    response = twilio_post(tenant_client, {"MessageSid": "SM1"}, content_type="application/json")
    assert response.status_code == 415
