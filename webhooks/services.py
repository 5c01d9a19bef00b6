"""Every change to endpoints and deliveries: register, rotate, queue, send, retry, disable."""

import base64
import json
import logging
import secrets
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks import Webhook

from common.metrics import OUTBOUND_WEBHOOK_DELIVERIES
from common.outbound import NonPublicAddress, guarded_client
from common.tasks import enqueue_on_commit
from org.models import Staff
from org.roles import Role
from webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status

TIMEOUT_SECONDS = 10.0
# The Standard Webhooks reference schedule: after the first attempt, wait 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 10 h (about 27 hours in all); a delivery that fails all eight attempts is failed for good.
RETRY_DELAYS = [timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 36000)]
# A claimed delivery is not due again until its attempt has surely ended (the sweep's safety net).
CLAIM_LEASE = timedelta(seconds=TIMEOUT_SECONDS + 60)
DISABLE_AFTER = timedelta(hours=24)
RESPONSE_KEPT = 2000
ENDPOINT_DISABLED = "Endpoint disabled: every delivery failed for {hours} hours."
ENDPOINT_INACTIVE = "Endpoint is not active."
ENDPOINT_DISABLED_SUBJECT = "Webhook endpoint %(url)s was disabled"


def secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@transaction.atomic
def endpoint_create(
    *, url: str, events: list[str], description: str = "", active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned so it can be shown once)."""
    secret = secret_generate()
    endpoint = WebhookEndpoint(url=url, events=events, description=description, active=active, secret=secret)
    endpoint.full_clean()
    endpoint.save()
    return endpoint, secret


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint.secret


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Save an admin's edit; switching an endpoint back on clears its failure record."""
    if endpoint.active:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def _company_slug() -> str:
    return getattr(connection.tenant, "slug", connection.schema_name)


def deliveries_create(
    *, event_type: str, data: dict[str, Any], occurred_at: datetime
) -> list[WebhookDelivery]:
    """One delivery per active endpoint subscribed to `event_type`, sent after the caller commits."""
    endpoints = WebhookEndpoint.objects.filter(active=True, events__contains=[event_type])
    created = []
    for endpoint in endpoints:
        message_id = f"msg_{uuid.uuid4().hex}"
        body = {
            "id": message_id,
            "type": event_type,
            "timestamp": occurred_at.isoformat(),
            "company": _company_slug(),
            "data": data,
        }
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_id=message_id,
            event_type=event_type,
            payload=body,
            next_attempt_at=occurred_at,
        )
        _enqueue(delivery.pk)
        created.append(delivery)
    return created


def _enqueue(delivery_id: int, countdown: float | None = None) -> None:
    from webhooks.tasks import send_delivery  # tasks call these services: imported when needed

    enqueue_on_commit(send_delivery, delivery_id, countdown=countdown)


def deliveries_send_lost(*, grace: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Queue pending deliveries overdue by more than `grace`: their queued message was lost."""
    due = WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now() - grace)
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same message (same webhook-id, so receivers can deduplicate) once more, now."""
    delivery.status, delivery.next_attempt_at = Status.PENDING, timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    _enqueue(delivery.pk)
    return delivery


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    # The conditional UPDATE is the lock: of two tasks for the same delivery only one finds it due.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def signed_request(delivery: WebhookDelivery, *, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    signature = Webhook(delivery.endpoint.secret).sign(delivery.message_id, now, body.decode())
    headers = {
        "content-type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return body, headers


def delivery_send(*, delivery_id: int) -> WebhookDelivery | None:
    """Attempt one pending delivery; None when it is not due (another task has it, or it is done)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    if not delivery.endpoint.active:
        return _record_attempt(
            delivery, status=None, body="", error=ENDPOINT_INACTIVE, duration_ms=0, final=True
        )
    body, headers = signed_request(delivery, now=timezone.now())
    started = time.monotonic()
    try:
        with guarded_client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(delivery.endpoint.url, content=body, headers=headers)
    except NonPublicAddress as exc:
        # Rule: an address the SSRF guard refuses stays refused; the delivery fails now, with the reason.
        return _record_attempt(delivery, status=None, body="", error=str(exc), duration_ms=0, final=True)
    except httpx.HTTPError as exc:
        duration = int((time.monotonic() - started) * 1000)
        return _record_attempt(
            delivery, status=None, body="", error=str(exc) or type(exc).__name__, duration_ms=duration
        )
    duration = int((time.monotonic() - started) * 1000)
    error = "" if response.is_success else f"HTTP {response.status_code}"
    return _record_attempt(
        delivery, status=response.status_code, body=response.text, error=error, duration_ms=duration
    )


@transaction.atomic
def _record_attempt(
    delivery: WebhookDelivery,
    *,
    status: int | None,
    body: str,
    error: str,
    duration_ms: int,
    final: bool = False,
) -> WebhookDelivery:
    delivery.response_status, delivery.response_body = status, body[:RESPONSE_KEPT]
    delivery.error, delivery.duration_ms = error[:RESPONSE_KEPT], duration_ms
    now = timezone.now()
    if not error:
        delivery.status, delivery.next_attempt_at, outcome = Status.SUCCEEDED, None, "succeeded"
        _endpoint_succeeded(delivery.endpoint)
    elif final or delivery.attempts > len(RETRY_DELAYS):
        delivery.status, delivery.next_attempt_at, outcome = Status.FAILED, None, "failed"
    else:
        delay = RETRY_DELAYS[delivery.attempts - 1]
        delivery.next_attempt_at, outcome = now + delay, "retrying"
        _enqueue(delivery.pk, countdown=delay.total_seconds())
    if error and not final:
        _endpoint_failed(delivery.endpoint, now=now)
    OUTBOUND_WEBHOOK_DELIVERIES.labels(outcome=outcome).inc()
    delivery.save(
        update_fields=[
            "status",
            "next_attempt_at",
            "response_status",
            "response_body",
            "error",
            "duration_ms",
        ]
    )
    return delivery


def _endpoint_succeeded(endpoint: WebhookEndpoint) -> None:
    if endpoint.failing_since is not None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)


def _endpoint_failed(endpoint: WebhookEndpoint, *, now: datetime) -> None:
    """Rule: an endpoint whose deliveries have all failed for DISABLE_AFTER is switched off."""
    # Re-read under a lock: deliveries to one endpoint fail in parallel tasks.
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
    elif endpoint.active and now - endpoint.failing_since >= DISABLE_AFTER:
        endpoint_disable(endpoint=endpoint, now=now)


def endpoint_disable(*, endpoint: WebhookEndpoint, now: datetime) -> None:
    endpoint.active, endpoint.disabled_at = False, now
    endpoint.disabled_reason = ENDPOINT_DISABLED.format(hours=int(DISABLE_AFTER.total_seconds() // 3600))
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    # The company's admins see the flag in the endpoint list and get an email; operators see this line.
    logger.warning(
        "webhook endpoint %s of %s disabled: %s", endpoint.pk, _company_slug(), endpoint.disabled_reason
    )
    _tell_admins(endpoint)


def _tell_admins(endpoint: WebhookEndpoint) -> None:
    admins = Staff.objects.filter(role=Role.ADMIN, is_active=True).exclude(email="")
    addresses = list(admins.values_list("email", flat=True))
    if not addresses:
        return
    subject = ENDPOINT_DISABLED_SUBJECT % {"url": endpoint.url}
    body = f"{endpoint.disabled_reason}\n{endpoint.url}"
    # After the commit, so the email never announces a change that rolled back; a mail failure is logged.
    transaction.on_commit(lambda: send_mail(subject, body, None, addresses), robust=True)
