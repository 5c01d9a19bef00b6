"""Our Twilio Messages client against a local server that answers like Twilio, errors included."""

import pytest

from notifications.channels.base import DeliveryError
from notifications.channels.twilio import MISSING_CREDENTIALS, TwilioAccount, TwilioMessages
from tests.notifications.conftest import SMS_SENDER, TWILIO_SID, TWILIO_TOKEN
from tests.notifications.fakes import FakeTwilio, twilio_error


@pytest.fixture
def client(twilio) -> TwilioMessages:
    return TwilioMessages(TwilioAccount(TWILIO_SID, TWILIO_TOKEN), base_url=twilio.base_url)


def send(client: TwilioMessages, to: str = "+4917012345678", body: str = "Hallo") -> object:
    return client.send(to=to, sender=SMS_SENDER, body=body)


def test_a_message_is_posted_form_encoded_with_basic_auth_and_its_sid_kept(client, twilio):
    receipt = send(client, body="Termin am Do., 14:30 Uhr")
    assert receipt.provider_message_id.startswith("SM")
    assert receipt.details["status"] == "queued"
    assert twilio.messages == [
        {
            "sid": receipt.provider_message_id,
            "To": "+4917012345678",
            "From": SMS_SENDER,
            "Body": "Termin am Do., 14:30 Uhr",
        }
    ]


def test_an_invalid_number_is_a_permanent_error_with_twilios_code_and_message(client):
    with pytest.raises(DeliveryError) as caught:
        send(client, to="0170 123")
    assert caught.value.permanent and not caught.value.ambiguous
    assert caught.value.code == "21211"
    assert "The 'To' number 0170 123 is not a valid phone number." in str(caught.value)


def test_a_landline_is_refused_permanently(client, twilio):
    twilio.landlines.add("+49301234567")
    with pytest.raises(DeliveryError) as caught:
        send(client, to="+49301234567")
    assert (caught.value.code, caught.value.permanent) == ("21614", True)


def test_wrong_credentials_are_permanent(twilio):
    client = TwilioMessages(TwilioAccount(TWILIO_SID, "wrong"), base_url=twilio.base_url)
    with pytest.raises(DeliveryError) as caught:
        send(client)
    assert (caught.value.code, caught.value.permanent) == ("20003", True)
    assert "Twilio 401" in str(caught.value)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_worth_retrying(client, twilio, status):
    twilio.respond_next(status, twilio_error(status, 20429 if status == 429 else 20500, "Try later"))
    with pytest.raises(DeliveryError) as caught:
        send(client)
    assert not caught.value.permanent
    assert f"Twilio {status}" in str(caught.value)


def test_a_server_error_without_json_still_gives_a_readable_reason(client, twilio):
    twilio.respond_next(502, "<html>Bad Gateway</html>", "text/html")
    with pytest.raises(DeliveryError) as caught:
        send(client)
    assert not caught.value.permanent
    assert "Bad Gateway" in str(caught.value)


def test_an_unreachable_twilio_is_retried_not_failed():
    stopped = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, {SMS_SENDER}).start()
    base_url = stopped.base_url
    stopped.stop()
    with pytest.raises(DeliveryError) as caught:
        send(TwilioMessages(TwilioAccount(TWILIO_SID, TWILIO_TOKEN), base_url=base_url))
    assert (caught.value.code, caught.value.permanent) == ("unreachable", False)


def test_missing_credentials_are_reported_before_any_request():
    with pytest.raises(DeliveryError) as caught:
        TwilioMessages(TwilioAccount("", ""))
    assert str(caught.value) == MISSING_CREDENTIALS
    assert caught.value.permanent
