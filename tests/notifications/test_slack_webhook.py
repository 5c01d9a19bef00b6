"""Slack incoming webhooks, against a local stand-in."""

import pytest

from notifications.channels.base import DeliveryError
from notifications.channels.slack import MISSING_WEBHOOK, escape_mrkdwn, post_to_webhook


def test_the_text_is_posted_as_json(slack):
    post_to_webhook(slack.webhook_url, text="*Rückruf eskaliert*\nErika")
    assert slack.posts == [{"text": "*Rückruf eskaliert*\nErika"}]


def test_a_removed_webhook_is_a_permanent_error_with_slacks_reason(slack):
    slack.respond_next(404, "no_service", "text/plain")
    with pytest.raises(DeliveryError) as caught:
        post_to_webhook(slack.webhook_url, text="x")
    assert (caught.value.permanent, caught.value.code) == (True, "no_service")


def test_slack_server_errors_are_retried(slack):
    slack.respond_next(503, "service unavailable", "text/plain")
    with pytest.raises(DeliveryError) as caught:
        post_to_webhook(slack.webhook_url, text="x")
    assert not caught.value.permanent


def test_no_webhook_configured_is_permanent():
    with pytest.raises(DeliveryError) as caught:
        post_to_webhook("", text="x")
    assert str(caught.value) == MISSING_WEBHOOK


def test_slack_control_characters_in_values_are_escaped():
    assert escape_mrkdwn("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"
