"""The answer to `call_inbound`: what the agent should know before it says hello.

Retell waits at most 10 s (the phone rings meanwhile); this is a handful of indexed reads, no writes.
Every value is a string (Retell's rule for dynamic variables), in the company's language, and dates and
times are in the branch's timezone, because voice models get "today" and "next Monday" wrong on their own.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from integrations.retell import selectors, speech
from integrations.retell.payloads import InboundCall
from integrations.retell.routing import Route
from org.models import Branch
from org.selectors import customer_for_phone


def _calendar(now: datetime, language: str) -> dict[str, str]:
    today = now.date()
    next_monday = today + timedelta(days=(7 - today.weekday()) or 7)
    return {
        "today": speech.spoken_date(today, language),
        "today_iso": today.isoformat(),
        "weekday": speech.spoken_weekday(today, language),
        "current_time": speech.spoken_time(now, language),
        "tomorrow": speech.spoken_date(today + timedelta(days=1), language),
        "day_after_tomorrow": speech.spoken_date(today + timedelta(days=2), language),
        "next_monday": speech.spoken_date(next_monday, language),
        "timezone": str(now.tzinfo),
    }


def _customer_variables(phone: str, now: datetime, language: str) -> dict[str, str]:
    customer = customer_for_phone(phone)
    appointments = selectors.upcoming_appointments(customer, now=now, limit=1) if customer else []
    following = appointments[0] if appointments else None
    local_start = following.starts_at.astimezone(now.tzinfo) if following else None
    return {
        "customer_known": speech.yes_no(customer is not None),
        "customer_name": customer.name if customer and customer.name != str(customer.phone) else "",
        "has_next_appointment": speech.yes_no(following is not None),
        "next_appointment": speech.spoken_moment(local_start, language) if local_start else "",
        "next_appointment_date": speech.spoken_date(local_start, language) if local_start else "",
        "next_appointment_time": speech.spoken_time(local_start, language) if local_start else "",
        "next_appointment_service": following.service.name if following else "",
        "has_open_callback": speech.yes_no(selectors.has_open_callback(phone)),
    }


def branch_line(branch: Branch) -> str:
    """ "Praxis Mitte (Hauptstraße 1, 10115 Berlin): Beratung, Zahnreinigung" for the agent to read."""
    address = " ".join(branch.address.split())
    services = ", ".join(service.name for service in branch.services.all())
    return f"{branch.name} ({address}): {services}" if address else f"{branch.name}: {services}"


def _branch_variables(
    branch: Branch | None, branches: list[Branch], route: Route, local_now: datetime
) -> dict[str, str]:
    """The dialled branch, and every branch (on the central line, a number of no branch, to choose from)."""
    return {
        "branch_name": branch.name if branch else "",
        "branch_open_now": speech.yes_no(bool(branch) and branch.weekly_hours().is_open(local_now)),
        "central_line": speech.yes_no(route.branch_id is None),
        "branch_needed": speech.yes_no(branch is None and len(branches) > 1),
        "branch_names": ", ".join(b.name for b in branches),
        "branches": "; ".join(branch_line(b) for b in branches),
    }


def dynamic_variables(*, inbound: InboundCall, route: Route, now: datetime | None = None) -> dict[str, str]:
    """Strings only. The connection must be on the route's company schema."""
    language = speech.language_of(route.company.language)
    branches = list(selectors.active_branches())
    branch = selectors.branch_among(branches, route.branch_id)
    local_now = (now or timezone.now()).astimezone(selectors.call_timezone(branch))
    with speech.speaking(language):
        variables = {
            "company_name": route.company.name,
            **_branch_variables(branch, branches, route, local_now),
            "language": language,
            "caller_number": inbound.from_number,
            "caller_number_withheld": speech.yes_no(not inbound.from_number),
            **_calendar(local_now, language),
            **_customer_variables(inbound.from_number, local_now, language),
        }
    return variables


def inbound_response(*, inbound: InboundCall, route: Route, now: datetime | None = None) -> dict:
    return {
        "call_inbound": {
            "dynamic_variables": dynamic_variables(inbound=inbound, route=route, now=now),
            "metadata": {"company": route.company.slug, "branch_id": route.branch_id},
        }
    }
