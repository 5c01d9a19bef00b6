"""Every change to a call: Retell's reports, the functions the agent ran, the follow-up callback.

Retell's events arrive in any order and more than once. `call_record_retell_event` upserts by Retell's
call id under a row lock: a report from a later stage (started < ended < analysed) overwrites, one from an
earlier stage only fills what is still empty, so a late `call_started` never undoes `call_ended`.
"""

import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext, gettext_noop

from callbacks.models import CallbackRequest
from callbacks.priority import HIGH
from calls import costs
from calls.follow_up import CallOutcome, follow_up_reason
from calls.models import Call, FunctionInvocation
from common.conf import company_setting, current_company
from common.events import emit
from common.phone import try_normalise_phone
from org.models import Branch, Customer
from org.selectors import UnroutedBranch, branch_for_unrouted, customer_for_phone
from org.services import customer_create

logger = logging.getLogger(__name__)

STAGE_BY_EVENT = {
    "call_inbound": Call.Stage.INBOUND,
    "call_started": Call.Stage.STARTED,
    "call_ended": Call.Stage.ENDED,
    "call_analyzed": Call.Stage.ANALYZED,
}
OPEN_CALLBACK = (
    CallbackRequest.Status.PENDING,
    CallbackRequest.Status.ASSIGNED,
    CallbackRequest.Status.CONTACTED,
)
BRANCH_NOT_NAMED = gettext_noop(
    "Called the central number without naming a branch: ask which branch they meant."
)
EVENT_BY_STAGE = {stage: event.removeprefix("call_") for event, stage in STAGE_BY_EVENT.items()}


# --- reading Retell's call object ----------------------------------------------------------------------


def _moment(milliseconds: Any) -> datetime | None:
    if not isinstance(milliseconds, int | float) or isinstance(milliseconds, bool):
        return None
    try:
        return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):  # far outside any calendar: dropped, not fatal
        return None


def _turns(transcript_object: Any) -> list[dict[str, str]]:
    """Who said what, without Retell's word-level timings (which make the rows large)."""
    if not isinstance(transcript_object, list):
        return []
    return [
        {"role": str(turn.get("role", "")), "content": str(turn.get("content", ""))}
        for turn in transcript_object
        if isinstance(turn, dict)
    ]


def _analysis_fields(analysis: Any) -> dict[str, Any]:
    if not isinstance(analysis, dict):
        return {}
    return {
        "summary": analysis.get("call_summary"),
        "sentiment": analysis.get("user_sentiment"),
        "successful": analysis.get("call_successful"),
        "in_voicemail": analysis.get("in_voicemail"),
        "custom_analysis": analysis.get("custom_analysis_data"),
    }


def fields_from_retell(data: dict[str, Any]) -> dict[str, Any]:
    """Our Call fields from Retell's call object; keys Retell did not send are left out."""
    duration = data.get("duration_ms")
    fields = {
        "agent_id": data.get("agent_id"),
        "direction": data.get("direction") if data.get("direction") in Call.Direction.values else None,
        "from_number": data.get("from_number"),
        "to_number": data.get("to_number"),
        "status": data.get("call_status"),
        "started_at": _moment(data.get("start_timestamp")),
        "ended_at": _moment(data.get("end_timestamp")),
        "duration_ms": duration if isinstance(duration, int) and duration >= 0 else None,
        "disconnection_reason": data.get("disconnection_reason"),
        "transcript": data.get("transcript"),
        "transcript_turns": _turns(data.get("transcript_object")) or None,
        "recording_url": _recording_url(data),
        "collected_variables": data.get("collected_dynamic_variables"),
        **_analysis_fields(data.get("call_analysis")),
    }
    cost = costs.retell_cost(data.get("call_cost"))
    if cost is not None:
        fields["cost_cents"] = cost.total_cents
        fields["telephony_cost_cents"] = cost.telephony_cents
    return {name: value for name, value in fields.items() if value not in (None, "", {}, [])}


def _recording_url(data: dict[str, Any]) -> str | None:
    """Retell's recording link, or None when it is unusable (an optional field never fails the call)."""
    url = data.get("recording_url")
    if url in (None, ""):
        return None
    if _is_web_url(url, Call._meta.get_field("recording_url").max_length):
        return url
    logger.warning("call %s: unusable recording_url dropped: %r", data.get("call_id"), str(url)[:100])
    return None


def _is_web_url(url: Any, limit: int) -> bool:
    if not isinstance(url, str) or len(url) > limit:
        return False
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


def _is_empty(value: Any) -> bool:
    return value in (None, "", {}, [])


# --- upsert --------------------------------------------------------------------------------------------


NOT_A_NAME = {"", "ja", "nein", "yes", "no", "unknown", "unbekannt", "none", "null"}


def caller_name(data: dict[str, Any]) -> str:
    """The name the caller gave, as the agent collected it (Retell's collected variables or the analysis)."""
    analysis = data.get("call_analysis") if isinstance(data.get("call_analysis"), dict) else {}
    sources = (data.get("collected_dynamic_variables"), analysis.get("custom_analysis_data"))
    for source in sources:
        name = source.get("customer_name") if isinstance(source, dict) else None
        if isinstance(name, str) and name.strip().lower() not in NOT_A_NAME and len(name) <= 200:
            return name.strip()
    return ""


def _customer_for(phone: str, *, name: str, create: bool) -> Customer | None:
    """The caller's customer record, created when `create` and the number is new (named as the caller said,
    else after the number). Withheld numbers have none."""
    e164 = try_normalise_phone(phone) if phone else None
    if e164 is None:
        return None
    existing = customer_for_phone(e164, name=name)
    if existing is None and create:
        return customer_create(name=name or e164, phone=e164)
    return existing


def _named_after_the_number(name: str, phone: str) -> bool:
    return not name.strip() or try_normalise_phone(name) == phone or name.strip() == phone


def call_name_the_caller(*, call: Call, name: str) -> int:
    """The name came after the caller's record was made under their number (analysis, collected
    variables): the record and the open callbacks still showing the number (or nothing) take it.

    A name someone typed in is never overwritten. Returns how many callbacks were renamed.
    """
    name = strip_tags(name).strip()[:200]
    customer, phone = call.customer, try_normalise_phone(_caller_number(call)) or ""
    if not name or customer is None or not phone or str(customer.phone) != phone:
        return 0
    if _named_after_the_number(customer.name, phone):
        customer.name = name
        customer.save(update_fields=["name"])
    open_callbacks = CallbackRequest.objects.filter(
        Q(customer=customer) | Q(call=call, phone=phone), status__in=OPEN_CALLBACK, deleted_at__isnull=True
    )
    renamed = 0
    for callback in open_callbacks:
        if _named_after_the_number(callback.customer_name, phone):
            callback.customer_name = name
            callback.save(update_fields=["customer_name", "updated_at"])
            renamed += 1
    return renamed


def _caller_number(call: Call) -> str:
    return call.to_number if call.direction == Call.Direction.OUTBOUND else call.from_number


def call_cost_convert(call: Call) -> None:
    """Retell's USD cost in the company's currency, on the call in memory (the caller saves it)."""
    company = current_company()
    currency = company.currency if company is not None else "EUR"
    rate = costs.exchange_rate(company_setting("USD_EXCHANGE_RATE", {}), currency)
    call.cost_currency = currency
    call.exchange_rate = rate
    call.converted_cost_cents = costs.converted_cents(call.cost_cents, rate) if rate is not None else None
    if rate is None:
        logger.warning(
            "no USD exchange rate configured for %s; call %s cost left unconverted", currency, call
        )


def _apply(call: Call, fields: dict[str, Any], stage: int) -> list[str]:
    """Copy fields onto the call without regressing a later stage; returns the changed field names."""
    newer = stage >= call.stage
    changed = [
        name
        for name, value in fields.items()
        if (newer or _is_empty(getattr(call, name))) and getattr(call, name) != value
    ]
    for name in changed:
        setattr(call, name, fields[name])
    if stage > call.stage:
        call.stage = stage
        changed.append("stage")
    return changed


UNCHECKED_CALL_FIELDS = ["status", "sentiment", "direction", "branch", "customer"]


@transaction.atomic(savepoint=False)  # its callers' transactions decide what a failure undoes
def call_record_retell_event(
    *, event: str, data: dict[str, Any], branch_id: int | None = None, create_customer: bool = True
) -> Call:
    """Create or complete the Call for one Retell report (`call_started`, `call_ended`, `call_analyzed`).

    The caller becomes a customer when their number is new (unless `create_customer` is False). A new call
    is written with one INSERT; when a concurrent report of the same call stored it first, everything this
    report wrote is undone and it is applied to that row instead.
    """
    report = partial(_call_apply_report, event=event, data=data, branch_id=branch_id, create=create_customer)
    call = Call.objects.select_for_update().filter(retell_call_id=data["call_id"]).first()
    if call is None:
        try:
            with transaction.atomic():
                return report(Call(retell_call_id=data["call_id"]), created=True)
        except IntegrityError:
            call = Call.objects.select_for_update().filter(retell_call_id=data["call_id"]).first()
            if call is None:
                raise
    return report(call, created=False)


def _call_apply_report(
    call: Call, *, created: bool, event: str, data: dict[str, Any], branch_id: int | None, create: bool
) -> Call:
    stage = STAGE_BY_EVENT[event]
    changed = _apply(call, fields_from_retell(data), stage)
    if call.branch_id is None and branch_id is not None and Branch.objects.filter(pk=branch_id).exists():
        call.branch_id = branch_id
        changed.append("branch")
    name = caller_name(data)
    if call.customer_id is None:
        call.customer = _customer_for(_caller_number(call), name=name, create=create)
        if call.customer is not None:
            changed.append("customer")
    if "cost_cents" in changed and call.cost_cents is not None:
        call_cost_convert(call)
    if created or changed:
        # Retell's own values are kept as sent: a status or sentiment it adds later must not cost us the call.
        # The branch and customer were read from the database above; the call id's uniqueness is the
        # database's to decide.
        call.full_clean(exclude=UNCHECKED_CALL_FIELDS, validate_unique=False)
        call.save(force_insert=created)
    if name and call.customer is not None:
        call_name_the_caller(call=call, name=name)
    if created or "stage" in changed:
        emit(f"call.{EVENT_BY_STAGE[call.stage]}", call=call)
    return call


@transaction.atomic
def call_ensure(*, data: dict[str, Any], branch_id: int | None = None) -> Call:
    """The Call a live function request belongs to, created just in time when no event has arrived yet."""
    existing = Call.objects.filter(retell_call_id=data["call_id"]).first()
    if existing is not None:
        return existing
    stage_event = "call_started" if data.get("start_timestamp") else "call_inbound"
    # Matched, not created: the call's own events create the customer; a function must not invent one.
    return call_record_retell_event(event=stage_event, data=data, branch_id=branch_id, create_customer=False)


def call_record_function(
    *,
    call: Call,
    name: str,
    arguments: dict[str, Any],
    result: dict[str, Any],
    duration_ms: int,
    error: str = "",
    fingerprint: str = "",
) -> FunctionInvocation:
    """Store what the agent asked and what it was told. With a `fingerprint` the row answers replays of
    the same request; when a concurrent replay stored it first, that row is returned instead."""
    invocation = FunctionInvocation(
        call=call,
        name=name[:64],
        arguments=arguments,
        result=result,
        succeeded=not error and result.get("ok", True) is not False,
        error=error,
        duration_ms=max(0, duration_ms),
        fingerprint=fingerprint,
    )
    # The call was just read or stored; the unique fingerprint is the database's to decide.
    invocation.full_clean(exclude=["call"], validate_constraints=False)
    try:
        with transaction.atomic():
            invocation.save()
    except IntegrityError:
        if not fingerprint:
            raise
        return FunctionInvocation.objects.get(fingerprint=fingerprint)
    return invocation


def call_link_customer(*, call: Call, customer: Customer) -> Call:
    if call.customer_id != customer.pk:
        call.customer = customer
        call.save(update_fields=["customer", "updated_at"])
    return call


def call_note_branch(*, call: Call, branch: Branch) -> Call:
    """A call on the central line named its branch: it belongs there now (follow-up callback, lists)."""
    if call.branch_id is None:
        call.branch = branch
        call.save(update_fields=["branch", "updated_at"])
    return call


def call_mark_follow_up_checked(*, call: Call) -> Call:
    call.follow_up_checked_at = timezone.now()
    call.save(update_fields=["follow_up_checked_at", "updated_at"])
    return call


# --- follow-up after the analysis ----------------------------------------------------------------------


def _outcome(call: Call) -> CallOutcome:
    invocations = list(call.function_invocations.values_list("name", "succeeded"))
    return CallOutcome(
        successful=call.successful,
        in_voicemail=call.in_voicemail,
        custom_analysis=call.custom_analysis if isinstance(call.custom_analysis, dict) else {},
        disconnection_reason=call.disconnection_reason,
        functions_tried=frozenset(name for name, _ in invocations),
        functions_done=frozenset(name for name, succeeded in invocations if succeeded),
    )


def _branch_for_follow_up(call: Call) -> UnroutedBranch:
    """The call's branch (its number's, or the one named during a call on the central line); else the
    rule for callbacks nobody named a branch for (`org.selectors.branch_for_unrouted`)."""
    if call.branch_id is not None:
        return UnroutedBranch(call.branch, True)
    return branch_for_unrouted(customer=call.customer)


def _follow_up_priority(call: Call) -> str | None:
    """Negative sentiment raises the callback to at least high. None lets the callback rules decide;
    they give a VIP "urgent", which is already above high."""
    if call.sentiment.lower() != "negative":
        return None
    return None if call.customer is not None and call.customer.is_vip else HIGH


def _skip_follow_up(call: Call, phone: str) -> str | None:
    if call.follow_up_checked_at is not None:
        return "already checked"
    if not phone:
        return "caller number withheld"
    if CallbackRequest.objects.filter(call=call).exists():
        return "a callback already exists for this call"
    if CallbackRequest.objects.filter(
        phone=phone, status__in=OPEN_CALLBACK, deleted_at__isnull=True
    ).exists():
        return "the caller already has an open callback"
    return None


@transaction.atomic
def call_follow_up(*, call: Call) -> CallbackRequest | None:
    """After `call_analyzed`: create a callback request when the call did not reach its goal.

    Runs once per call (`follow_up_checked_at`); a caller who already has an open callback gets no second
    one (the duplicate rule), and neither does a withheld number (nobody to call).
    """
    call = Call.objects.select_for_update(of=("self",)).select_related("customer", "branch").get(pk=call.pk)
    reason = follow_up_reason(_outcome(call))
    phone = try_normalise_phone(_caller_number(call)) or ""
    skip = "goal reached" if reason is None else _skip_follow_up(call, phone)
    where = _branch_for_follow_up(call) if skip is None else UnroutedBranch(None, False)
    branch = where.branch
    if skip is None and branch is None:
        skip = "the company has no active branch"
    if skip is not None:
        logger.info("no follow-up callback for call %s: %s", call, skip)
        call_mark_follow_up_checked(call=call)
        return None
    from callbacks.services import callback_create  # imported late: keeps webhook URLs importable alone

    created = callback_create(
        branch_id=branch.pk,
        phone=phone,
        customer_name=call.customer.name if call.customer and call.customer.name != phone else "",
        customer_id=call.customer_id,
        priority=_follow_up_priority(call),
        notes=call.summary if where.confirmed else f"{gettext(BRANCH_NOT_NAMED)} {call.summary}".strip(),
        metadata={
            "retell_call_id": call.retell_call_id,
            "reason": reason,
            **({} if where.confirmed else {"branch_unconfirmed": True}),
        },
        source=CallbackRequest.Source.PHONE_AGENT,
        call_id=call.pk,
    )
    call_mark_follow_up_checked(call=call)
    return created.callback


def calls_anonymise(*, customer: Customer, phone: str = "") -> int:
    """GDPR: the customer's calls (and calls from or to their number) keep duration, cost and outcome,
    lose what was said: transcript, recording, summary, the analysis, the variables the agent collected,
    and the arguments and answers of every function the agent ran on them."""
    rows = Call.objects.filter(customer=customer)
    if phone:
        rows = rows | Call.objects.filter(from_number=phone) | Call.objects.filter(to_number=phone)
    ids = list(rows.values_list("pk", flat=True))
    FunctionInvocation.objects.filter(call__in=ids).update(arguments={}, result={}, error="", fingerprint="")
    calls = Call.objects.filter(pk__in=ids)
    calls.filter(direction=Call.Direction.OUTBOUND).update(to_number="")
    return calls.update(
        from_number=Case(When(direction=Call.Direction.INBOUND, then=Value("")), default=F("from_number")),
        transcript="",
        transcript_turns=[],
        recording_url="",
        summary="",
        custom_analysis={},
        collected_variables={},
    )


CALL_CONTENT_EMPTY = dict(
    transcript="",
    transcript_turns=[],
    recording_url="",
    summary="",
    custom_analysis={},
    collected_variables={},
)
INVOCATION_CONTENT_EMPTY = dict(arguments={}, result={}, error="")


def calls_expire_content(*, before: datetime, limit: int) -> int:
    """Retention: what was said on calls made before `before` (at most `limit` calls) is emptied."""
    old = Call.objects.filter(created_at__lt=before).exclude(**CALL_CONTENT_EMPTY)
    ids = list(old.order_by("pk").values_list("pk", flat=True)[:limit])
    return Call.objects.filter(pk__in=ids).update(**CALL_CONTENT_EMPTY)


def function_invocations_expire(*, before: datetime, limit: int) -> int:
    """Retention: what the agent's functions were asked and answered before `before` is emptied."""
    old = FunctionInvocation.objects.filter(created_at__lt=before).exclude(**INVOCATION_CONTENT_EMPTY)
    ids = list(old.order_by("pk").values_list("pk", flat=True)[:limit])
    return FunctionInvocation.objects.filter(pk__in=ids).update(**INVOCATION_CONTENT_EMPTY)
