"""Issue 14, fuzzed: whatever arrives at a public endpoint, signed or not, the answer is never a 5xx, and a
refused request leaves no row in Acme, Globex or public. Bodies are mostly well-formed envelopes with
hostile values (so they get past the first checks), plus raw bytes."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from notifications.channels.twilio import request_signature
from tests.factories.calls import call_object
from tests.integrations.hostile import (
    CALCOM_SECRET,
    RETELL_URLS,
    as_json,
    calcom_post,
    retell_post,
    row_counts,
)
from tests.integrations.retell.conftest import ACME_NUMBER, GLOBEX_NUMBER

pytestmark = pytest.mark.django_db
EVENTS, INBOUND, FUNCTIONS = RETELL_URLS
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TWILIO_TOKEN = "fuzz-twilio-token"

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.text(min_size=60, max_size=300)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=12,
)
call_keys = st.sampled_from(
    ["call_id", "agent_id", "direction", "from_number", "to_number", "call_status", "transcript",
     "recording_url", "start_timestamp", "end_timestamp", "duration_ms", "disconnection_reason",
     "call_analysis", "collected_dynamic_variables", "call_cost", "transcript_object"]
) | st.text(max_size=10)  # fmt: skip
numbers = st.sampled_from([ACME_NUMBER, GLOBEX_NUMBER, "+4989000000"]) | st.text(max_size=40)
calls = st.builds(
    lambda call_id, to, overrides: {**call_object(call_id, to_number=to), **overrides},
    st.text(min_size=1, max_size=200),
    numbers,
    st.dictionaries(call_keys, values, max_size=4),
)
events = st.sampled_from(["call_started", "call_ended", "call_analyzed", "transfer_started"]) | st.text()
function_names = st.sampled_from(
    ["check_customer", "list_services", "get_service_info", "get_opening_hours", "parse_date",
     "request_callback"]
) | st.text(max_size=80)  # fmt: skip
retell_bodies = {
    EVENTS: st.builds(lambda event, call: {"event": event, "call": call}, events, calls),
    INBOUND: st.builds(
        lambda event, inbound: {"event": event, "call_inbound": inbound},
        st.just("call_inbound") | st.text(max_size=20),
        st.dictionaries(st.sampled_from(["from_number", "to_number", "agent_id", "call_id"]), values)
        | st.fixed_dictionaries({"to_number": numbers, "from_number": numbers | values}),
    ),
    FUNCTIONS: st.builds(
        lambda name, args, call: {"name": name, "args": args, "call": call},
        function_names,
        st.dictionaries(st.sampled_from(["reason", "service", "date", "phone", "name"]) | st.text(), values),
        calls,
    ),
}


def assert_safe(response, before: dict, lines) -> None:
    event(f"HTTP {response.status_code}")  # --hypothesis-show-statistics: how far the bodies got
    assert response.status_code < 500
    if response.status_code >= 400:
        assert row_counts(*(line.company for line in lines)) == before


@pytest.mark.parametrize("url", RETELL_URLS)
@FUZZ
@given(data=st.data(), signed=st.booleans())
def test_retell_never_answers_5xx_and_a_refusal_writes_nothing(
    acme, globex, retell_client, clock, url, data, signed
):
    body = data.draw(retell_bodies[url])
    before = row_counts(acme.company, globex.company)
    response = retell_post(retell_client, url, as_json(body), signed=signed)
    assert_safe(response, before, (acme, globex))


@pytest.mark.parametrize("url", RETELL_URLS)
@FUZZ
@given(raw=st.binary(max_size=300), signed=st.booleans())
def test_retell_survives_arbitrary_bytes(acme, globex, retell_client, url, raw, signed):
    before = row_counts(acme.company, globex.company)
    response = retell_post(retell_client, url, raw, signed=signed)
    assert_safe(response, before, (acme, globex))


@pytest.fixture
def calcom_line(acme):
    acme.company.calcom_webhook_secret = CALCOM_SECRET
    acme.company.save()
    return acme


calcom_bodies = st.builds(
    lambda trigger, payload: {"triggerEvent": trigger, "payload": payload},
    st.sampled_from(["BOOKING_CREATED", "BOOKING_CANCELLED", "MEETING_ENDED"]) | st.text(max_size=80),
    st.dictionaries(
        st.sampled_from(["uid", "startTime", "endTime", "attendees", "rescheduleUid", "metadata"])
        | st.text(),
        values,
    ),
)


@FUZZ
@given(body=calcom_bodies, signed=st.booleans(), slug=st.sampled_from(["acme", "globex", "nobody"]))
def test_calcom_never_answers_5xx_and_a_refusal_writes_nothing(calcom_line, globex, body, signed, slug):
    before = row_counts(calcom_line.company, globex.company)
    response = calcom_post(Client(HTTP_HOST="localhost"), slug, as_json(body).encode(), signed=signed)
    assert_safe(response, before, (calcom_line, globex))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_calcom_survives_arbitrary_signed_bytes(calcom_line, globex, raw):
    before = row_counts(calcom_line.company, globex.company)
    response = calcom_post(Client(HTTP_HOST="localhost"), calcom_line.company.slug, raw)
    assert_safe(response, before, (calcom_line, globex))


@pytest.fixture
def twilio_line(acme):
    acme.company.twilio_auth_token = TWILIO_TOKEN
    acme.company.save()
    return acme


receipt_fields = st.dictionaries(
    st.sampled_from(["MessageSid", "MessageStatus", "ErrorCode", "AccountSid"]) | st.text(max_size=10),
    st.sampled_from(["delivered", "undelivered", "failed"]) | st.text(max_size=300),
    max_size=5,
)


@FUZZ
@given(fields=receipt_fields, signed=st.booleans())
def test_twilio_receipts_never_answer_5xx_and_a_refusal_writes_nothing(
    twilio_line, globex, tenant_client, fields, signed
):
    url = "http://acme.localhost/notifications/twilio/status/"
    signature = request_signature(url, fields, TWILIO_TOKEN) if signed else ""
    before = row_counts(twilio_line.company, globex.company)
    response = tenant_client.post(
        "/notifications/twilio/status/",
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert_safe(response, before, (twilio_line, globex))
