"""Reconciliation with Retell's own list: a call whose webhooks never came is processed as if they had.

Every 15 minutes per company (integrations/beat.py) we list the calls Retell holds for the company's phone
numbers over the last window (Retell's SDK, `POST /v3/list-calls`). For each finished call whose lifecycle
events (`call_started`, `call_ended`, `call_analyzed`) we lack, we build the very events Retell would have
posted and store them through `retell_event_store`, marked `"source": "reconciliation"`; they are then
processed like any webhook. The store is idempotent on event + call id, so a real webhook arriving later
is a duplicate and changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from calls.models import Call
from calls.services import STAGE_BY_EVENT
from common.conf import company_setting, current_company_fresh, platform_setting
from common.metrics import RECONCILIATION_REPAIRS
from integrations.models import WebhookEvent
from integrations.retell.payloads import CallEvent, PayloadError, company_number
from integrations.retell.routing import route_call_to_company
from integrations.retell.services import retell_event_store
from tenants.models import Company, PhoneNumber

logger = logging.getLogger(__name__)

SOURCE_MARKER = "reconciliation"
USER_AGENT = "Switchboard reconciliation"
FINISHED = ("ended", "error", "not_connected")
# What Retell's call object holds when `call_started` is sent (retell.md §1.2): no end data yet.
STARTED_FIELDS = (
    "call_type",
    "call_id",
    "agent_id",
    "agent_version",
    "agent_name",
    "direction",
    "from_number",
    "to_number",
    "start_timestamp",
    "metadata",
    "retell_llm_dynamic_variables",
    "custom_sip_headers",
    "data_storage_setting",
    "opt_in_signed_url",
    "telephony_identifier",
    "access_token",
)
if TYPE_CHECKING:
    from retell import Retell

PAGE_SIZE = 100
_skip_logged: set[str] = set()


def retell_api(api_key: str) -> Retell:
    """Retell's own client; the address is the platform's (`RETELL_API_BASE_URL`, a stand-in in tests).

    The SDK is imported here, not at the top: its ~2,500 pydantic models take a second or more to import,
    and every web worker imports this module with the processing task on its first Retell webhook.
    """
    from retell import Retell

    base_url = platform_setting("RETELL_API_BASE_URL", "https://api.retellai.com")
    return Retell(api_key=api_key, base_url=base_url, timeout=20.0, max_retries=2)


def retell_reconcile(*, now: datetime | None = None) -> int:
    """Repair the current company's calls from Retell's list; returns how many calls were repaired."""
    company = current_company_fresh()
    api_key = _api_key(company)
    numbers = _company_numbers(company) if company is not None else []
    if not api_key or not numbers:
        _log_skip_once(company, "no Retell API key" if not api_key else "no phone number")
        return 0
    now = now or timezone.now()
    since = now - timedelta(minutes=int(company_setting("RETELL_RECONCILE_WINDOW_MINUTES", 120)))
    settled_before = now - timedelta(minutes=int(company_setting("RETELL_RECONCILE_GRACE_MINUTES", 5)))
    repaired = 0
    with retell_api(api_key) as client:
        for call in listed_calls(client, numbers, since=since, until=now):
            if not _belongs_to(call, company):
                logger.warning("Retell listed call %s, not this company's: left alone", call["call_id"])
            elif _settled(call, settled_before) and _repair(call):
                repaired += 1
    if repaired:
        RECONCILIATION_REPAIRS.labels(source="retell").inc(repaired)
        logger.info("Retell reconciliation repaired %d call(s)", repaired)
    return repaired


def listed_calls(
    client: Retell, numbers: list[str], *, since: datetime, until: datetime
) -> Iterator[dict[str, Any]]:
    """Every call Retell has to or from one of `numbers` started in [since, until], each once."""
    seen: set[str] = set()
    window = {"op": "bt", "type": "range", "value": [_ms(since), _ms(until)]}
    for number in numbers:
        for side in ("to_number", "from_number"):
            criteria = {side: {"op": "eq", "type": "string", "value": number}, "start_timestamp": window}
            for call in _pages(client, criteria):
                if call.get("call_id") and call["call_id"] not in seen:
                    seen.add(call["call_id"])
                    yield call


def _pages(client: Retell, criteria: dict[str, Any]) -> Iterator[dict[str, Any]]:
    pagination_key = None
    while True:
        extra = {"pagination_key": pagination_key} if pagination_key else {}
        page = client.call.list(filter_criteria=criteria, limit=PAGE_SIZE, sort_order="ascending", **extra)
        for item in page.items:
            yield item.to_dict(mode="json")
        if not page.has_more or not page.pagination_key:
            return
        pagination_key = page.pagination_key


def lifecycle_events(call: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The call object each lifecycle webhook carries for a finished call, as Retell sends them."""
    if call.get("call_status") not in FINISHED:
        return {}  # still live: its webhooks may be on their way
    events: dict[str, dict[str, Any]] = {}
    if call.get("start_timestamp") and call["call_status"] != "not_connected":
        events["call_started"] = {
            **{key: call[key] for key in STARTED_FIELDS if key in call},
            "call_status": "ongoing",
        }
    events["call_ended"] = {key: value for key, value in call.items() if key != "call_analysis"}
    if call.get("call_analysis"):
        events["call_analyzed"] = call
    return events


def _repair(call: dict[str, Any]) -> bool:
    """Store the lifecycle events we lack, unless our call is already as far as Retell's."""
    events = lifecycle_events(call)
    held = set(
        WebhookEvent.objects.filter(
            source=WebhookEvent.Source.RETELL, external_id=call["call_id"], event__in=list(events)
        ).values_list("event", flat=True)
    )
    missing = [name for name in events if name not in held]
    stage = Call.objects.filter(retell_call_id=call["call_id"]).values_list("stage", flat=True).first()
    if not missing or (stage is not None and stage >= max(STAGE_BY_EVENT[name] for name in events)):
        return False
    for name in missing:
        body = {"event": name, "call": events[name], "source": SOURCE_MARKER}
        raw = json.dumps(body, ensure_ascii=False).encode()
        retell_event_store(
            event=CallEvent(event=name, call=events[name], body=body),
            raw_body=raw,
            headers={"User-Agent": USER_AGENT},
        )
    logger.info("call %s: %s taken from Retell's list", call["call_id"], ", ".join(missing))
    return True


def _belongs_to(call: dict[str, Any], company: Company) -> bool:
    """Our side of the call routes to this very company (never trust the list's filter alone)."""
    try:
        route = route_call_to_company(company_number(call))
    except PayloadError:
        return False
    return route is not None and route.company.pk == company.pk


def _settled(call: dict[str, Any], before: datetime) -> bool:
    """Ended a few minutes ago at least: Retell's own deliveries and retries have had their chance."""
    ended = call.get("end_timestamp") or call.get("start_timestamp")
    return isinstance(ended, int) and ended <= _ms(before)


def _api_key(company: Company | None) -> str:
    """The company's own key, or the platform's when it uses the shared account (as routing.Route)."""
    if company is None:
        return ""
    return str(company.retell_api_key or "") or settings.RETELL_API_KEY


def _company_numbers(company: Company) -> list[str]:
    numbers = PhoneNumber.objects.filter(company=company, is_active=True).order_by("number")
    return [str(phone.number) for phone in numbers]


def _log_skip_once(company: Company | None, reason: str) -> None:
    name = company.schema_name if company is not None else "public"
    if name not in _skip_logged:
        _skip_logged.add(name)
        logger.info("Retell reconciliation skipped for %s: %s", name, reason)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
