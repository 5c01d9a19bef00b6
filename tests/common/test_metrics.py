"""Operators scrape /metrics: domain events as counters, what is overdue or stuck per company."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from common.events import emit
from integrations.models import WebhookEvent
from tests.factories.callbacks import CallbackRequestFactory

TOKEN = "metrics-secret-token"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(public_client, token=TOKEN):
    return public_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_metrics_are_off_until_a_token_is_configured(public_client, settings):
    settings.METRICS_TOKEN_REQUIRED = True
    assert public_client.get("/metrics").status_code == 404


def test_metrics_refuse_a_wrong_token(public_client, metrics_on):
    assert scrape(public_client, token="guess").status_code == 401


def probe_count(public_client) -> float:
    prefix = 'switchboard_domain_events_total{event="metrics.probe"} '
    lines = scrape(public_client).content.decode().splitlines()
    return next((float(line.removeprefix(prefix)) for line in lines if line.startswith(prefix)), 0.0)


def test_domain_events_are_counted_by_name(public_client, metrics_on):
    before = probe_count(public_client)
    emit("metrics.probe")
    emit("metrics.probe")
    assert probe_count(public_client) == before + 2


def test_overdue_callbacks_and_stuck_events_are_reported_per_company(public_client, metrics_on, companies):
    with tenant_context(companies["acme"]):
        CallbackRequestFactory(expires_at=timezone.now() - timedelta(hours=1))
        CallbackRequestFactory()  # due tomorrow
    with tenant_context(companies["globex"]):
        stuck = WebhookEvent.objects.create(source="retell", event="call_ended", external_id="call_stuck")
        WebhookEvent.objects.filter(pk=stuck.pk).update(received_at=timezone.now() - timedelta(minutes=30))

    body = scrape(public_client).content.decode()

    assert 'switchboard_callbacks_overdue{company="acme"} 1.0' in body
    assert 'switchboard_callbacks_overdue{company="globex"} 0.0' in body
    assert 'switchboard_webhook_events_unprocessed{company="globex",source="retell"} 1.0' in body
    assert 'company="acme",source=' not in body
