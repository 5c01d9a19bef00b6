"""Functions that need no calendar: who is calling, what we offer, when we are open, dates, callbacks."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError

from calls.services import call_link_customer
from integrations.retell import speech
from integrations.retell.functions.context import ArgumentProblem, FunctionContext, Reply


def check_customer(context: FunctionContext) -> Reply:
    """Is the caller a known customer (by the number they call from)? Links them to the call."""
    if not context.caller_phone:
        return {"ok": True, "status": "withheld", "found": False, "message": context.say("customer_withheld")}
    customer = context.customer
    if customer is None:
        return {"ok": True, "status": "new_customer", "found": False, "message": context.say("customer_new")}
    call_link_customer(call=context.call, customer=customer)
    named = bool(customer.name) and customer.name != str(customer.phone)
    message = context.say("customer_found", name=customer.name) if named else context.say("customer_unnamed")
    return {
        "ok": True,
        "status": "existing_customer",
        "found": True,
        "customer_id": customer.pk,
        "name": customer.name if named else "",
        "email_on_file": bool(customer.email),
        "message": message,
    }


def list_services(context: FunctionContext) -> Reply:
    """The services of the caller's branch; on the central line every branch's, each with where."""
    services = context.services()
    if not services:
        return {"ok": True, "services": [], "message": context.say("no_services")}
    return {
        "ok": True,
        "services": [
            {
                "id": s.pk,
                "name": s.name,
                "duration_minutes": s.duration_minutes,
                "price": str(s.price),
                "currency": s.currency,
                **(
                    {}
                    if context.branch
                    else {"branches": [b.name for b in s.branches.filter(is_active=True)]}
                ),
            }
            for s in services
        ],
        "message": context.say("services", services=context.listing([s.name for s in services])),
    }


def get_service_info(context: FunctionContext) -> Reply:
    if not context.arg("service"):
        return list_services(context)
    service = context.service()
    price = speech.spoken_amount(service.price, service.currency, context.language)
    message = context.say("service_info", name=service.name, minutes=service.duration_minutes, price=price)
    if service.description:
        message = f"{message} {service.description}"
    return {
        "ok": True,
        "service": {
            "id": service.pk,
            "name": service.name,
            "description": service.description,
            "duration_minutes": service.duration_minutes,
            "price": str(service.price),
            "currency": service.currency,
        },
        "message": message,
    }


def _spans_of(context: FunctionContext, day: date) -> list[str]:
    hours = context.branch.weekly_hours()
    return [
        context.say(
            "span",
            opens=speech.spoken_time(opens.astimezone(hours.tz), context.language),
            closes=speech.spoken_time(closes.astimezone(hours.tz), context.language),
        )
        for opens, closes in hours.day_intervals(day)
    ]


def _day_hours(context: FunctionContext, day: date) -> str:
    spans = _spans_of(context, day)
    name = speech.spoken_date(day, context.language, with_year=False)
    if not spans:
        return context.say("closed_day", day=name)
    return context.say("hours_day", day=name, spans=context.listing(spans))


def get_opening_hours(context: FunctionContext) -> Reply:
    """One day's hours (closures included) when a day is given, else the coming seven days."""
    context.require_branch()
    if context.arg("when"):
        day = context.when("when").first_day
        return {
            "ok": True,
            "date": day.isoformat(),
            "open": bool(_spans_of(context, day)),
            "message": _day_hours(context, day),
        }
    today = context.now.date()
    days = [today + timedelta(days=offset) for offset in range(7)]
    summary = [
        f"{speech.spoken_weekday(day, context.language)} {context.listing(spans)}"
        for day in days
        if (spans := _spans_of(context, day))
    ]
    return {
        "ok": True,
        "open_now": context.branch.weekly_hours().is_open(context.now),
        "days": [{"date": day.isoformat(), "open": bool(_spans_of(context, day))} for day in days],
        "message": context.say("hours_week", spans="; ".join(summary))
        if summary
        else context.say("no_hours"),
    }


def parse_date(context: FunctionContext) -> Reply:
    """The shared date parser, for the agent to check what a caller meant before it asks for slots."""
    wish = context.when("when", extra=context.arg("time"))
    if wish.first_day != wish.last_day:
        message = context.say(
            "parsed_range",
            first=speech.spoken_date(wish.first_day, context.language),
            last=speech.spoken_date(wish.last_day, context.language),
        )
    elif wish.at is not None:
        message = context.say("parsed_date", when=context.moment(wish.earliest))
    else:
        message = context.say("parsed_date", when=speech.spoken_date(wish.first_day, context.language))
    return {
        "ok": True,
        **wish.as_dict(),
        "in_past": wish.is_past(context.now),
        "weekday": speech.spoken_weekday(wish.first_day, context.language),
        "message": message,
    }


PRIORITY_WORDS = {
    "urgent": "urgent",
    "dringend": "urgent",
    "high": "high",
    "hoch": "high",
    "normal": "normal",
}


def _callback_phone(context: FunctionContext) -> tuple[str, bool]:
    """The number to call back, and whether the caller dictated it (then it is not theirs for sure)."""
    dictated = context.dictated_phone()
    if dictated:
        return dictated, True
    if not context.caller_phone:
        raise context.ask("phone", "ask_phone")
    return context.caller_phone, False


def request_callback(context: FunctionContext) -> Reply:
    """Leave a callback request. On the caller's own number the duplicate rule merges it into their open
    one; a dictated number starts a new callback of its own and touches nobody's records."""
    from callbacks.services import callback_create  # late: keeps the webhook URLs importable on their own

    branch = context.require_branch()
    reason = context.require("reason", "ask_reason")
    phone, dictated = _callback_phone(context)
    window = context.future_when("preferred_time") if context.arg("preferred_time") else None
    service = context.service() if context.arg("service") else None
    customer = None if dictated else context.customer
    try:
        created = callback_create(
            branch_id=branch.pk,
            phone=phone,
            customer_name=context.arg("name") or (customer.name if customer else ""),
            customer_id=customer.pk if customer else None,
            service_id=service.pk if service else None,
            priority=PRIORITY_WORDS.get(context.arg("priority").lower()),
            preferred_window_start=window.earliest if window else None,
            preferred_window_end=window.latest if window and window.latest > window.earliest else None,
            notes=reason,
            metadata={"retell_call_id": context.call.retell_call_id},
            source="phone_agent",
            call_id=context.call.pk,
            phone_given_by_caller=dictated,
        )
    except ValidationError as error:
        if "phone" in getattr(error, "error_dict", {}):
            raise ArgumentProblem("phone", "invalid_argument", context.say("invalid_phone")) from error
        raise
    return _callback_reply(context, created.callback, merged=not created.created)


def _callback_reply(context: FunctionContext, callback, *, merged: bool) -> Reply:
    deadline = context.moment(callback.expires_at) if callback.expires_at else ""
    key = "callback_merged" if merged else "callback_created"
    message = context.say(key, deadline=deadline) if deadline else context.say("callback_soon")
    return {
        "ok": True,
        "status": "merged" if merged else "created",
        "callback_id": callback.pk,
        "priority": callback.priority,
        "expected_by": callback.expires_at.isoformat() if callback.expires_at else None,
        "message": message,
    }
