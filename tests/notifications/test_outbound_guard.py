"""Webhook and provider URLs that point into our own network are refused before any connection is made."""

import socket

import pytest

from common.outbound import OutboundRefused, resolve_public_address
from notifications.channels.base import DeliveryError
from notifications.channels.slack import post_to_webhook
from notifications.channels.twilio import TwilioAccount, TwilioMessages
from tests.common.outbound_listener import Listener
from tests.notifications.conftest import SMS_SENDER, TWILIO_SID, TWILIO_TOKEN


@pytest.fixture
def guarded(settings):
    """Production's setting: outgoing requests reach public addresses only."""
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def listener_v6():
    try:
        server = Listener(socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    yield server
    server.close()


def assert_refused(url: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        post_to_webhook(url, text="Rückruf eskaliert", timeout=1.0)
    assert (caught.value.code, caught.value.permanent) == ("refused_address", True)


def test_a_slack_webhook_on_the_loopback_address_is_refused_without_connecting(guarded, listener):
    assert_refused(listener.url() + "services/T000/B000/XXXX")
    assert listener.connections() == 0


def test_a_slack_webhook_on_a_name_for_the_loopback_address_is_refused_without_connecting(guarded, listener):
    assert_refused(listener.url("localhost") + "hook")
    assert listener.connections() == 0


def test_a_slack_webhook_on_the_ipv6_loopback_address_is_refused_without_connecting(guarded, listener_v6):
    assert_refused(listener_v6.url() + "hook")
    assert listener_v6.connections() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
    ],
)
def test_a_slack_webhook_on_a_private_or_special_address_is_refused(guarded, url):
    assert_refused(url)


def test_a_twilio_base_url_on_the_loopback_address_is_refused_without_connecting(guarded, listener):
    twilio = TwilioMessages(TwilioAccount(TWILIO_SID, TWILIO_TOKEN), base_url=listener.url(), timeout=1.0)
    with pytest.raises(DeliveryError) as caught:
        twilio.send(to="+4917012345678", sender=SMS_SENDER, body="Ihr Termin")
    assert caught.value.code == "refused_address"
    assert listener.connections() == 0


def test_a_public_address_passes_the_guard():
    assert resolve_public_address("93.184.215.14", 443) == "93.184.215.14"


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(OutboundRefused):
        resolve_public_address("no-such-host.invalid", 443)


def test_the_guarded_request_connects_to_the_checked_address_not_to_a_second_lookup(
    guarded, slack, monkeypatch
):
    # The guard's answer for a name nobody can resolve is the stand-in's address: the request arrives,
    # so the connection used the checked address (no second DNS lookup a rebinding could change), and
    # the Host header still names the host of the URL.
    monkeypatch.setattr("common.outbound.resolve_public_address", lambda host, port: "127.0.0.1")
    port = slack.base_url.rsplit(":", 1)[1]
    post_to_webhook(f"http://hooks.slack.invalid:{port}{slack.PATH}", text="x")
    assert slack.posts == [{"text": "x"}]
    assert slack.requests[-1]["headers"]["Host"] == f"hooks.slack.invalid:{port}"


def test_in_development_the_local_stand_ins_are_reached(slack):
    post_to_webhook(slack.webhook_url, text="x")
    assert slack.posts == [{"text": "x"}]
