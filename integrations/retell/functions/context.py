"""What every in-call function gets: the call, its company and branch, the language, the arguments.

Only this caller's company (the connection is on its schema) and branch are ever looked at; the call is
the one named by the signed body's call id. The caller is who the stored call says called: their number
and customer record come from the Call row, never from an argument (a number the caller dictates is
only `dictated_phone`, for a new callback marked as such). Arguments arrive in German or English
spellings; `arg` takes the first one present. A function that lacks something raises `ArgumentProblem`,
which the dispatcher turns into a 200 answer asking the caller for it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.utils import timezone

from calls.models import Call
from calls.services import call_note_branch
from common.phone import try_normalise_phone
from integrations.retell import phrases, selectors, speech
from integrations.retell.payloads import FunctionCall
from integrations.retell.routing import Route
from integrations.retell.spoken_time import SpokenTime, SpokenTimeError, parse_spoken_time
from org.models import Branch, Customer, Service, Staff
from org.selectors import branch_matching, customer_for_phone

Reply = dict[str, Any]


class ArgumentProblem(Exception):
    """An argument is missing or unusable; `reply` is what the agent should say (HTTP 200)."""

    def __init__(self, field_name: str, status: str, message: str, **data: Any) -> None:
        super().__init__(f"{field_name}: {status}")
        self.reply: Reply = {"ok": False, "status": status, "field": field_name, "message": message, **data}


ALIASES: dict[str, tuple[str, ...]] = {
    "service": ("service", "service_name", "dienstleistung", "leistung", "service_id"),
    "when": ("when", "datetime", "date_time", "start", "date", "datum", "date_string", "day", "tag"),
    "time": ("time", "uhrzeit", "time_of_day", "zeit", "tageszeit"),
    "new_when": ("new_when", "new_datetime", "new_start", "new_date", "new_datum", "neuer_termin"),
    "new_time": ("new_time", "new_uhrzeit", "neue_uhrzeit"),
    "name": ("name", "customer_name", "kundenname", "caller_name"),
    "phone": ("phone", "customer_phone", "telefon", "telefonnummer", "callback_number"),
    "email": ("email", "customer_email", "e_mail", "mail"),
    "staff": ("staff", "mitarbeiter", "employee", "preferred_staff", "staff_name"),
    "branch": ("branch", "branch_name", "filiale", "standort", "location", "branch_id"),
    "reason": ("reason", "grund", "anliegen", "notes", "notiz", "topic"),
    "notes": ("notes", "notiz", "anmerkung", "bemerkung"),
    "priority": ("priority", "prioritaet", "dringlichkeit"),
    "preferred_time": ("preferred_time", "wunschzeit", "callback_time", "when"),
    "after": ("after", "ab", "from", "nach"),
    "appointment": ("appointment_date", "appointment", "termin", "old_date", "alter_termin", "date", "datum"),
    "appointment_id": ("appointment_id", "termin_id"),
    "reservation": ("reservation_uid", "reservation", "reservation_id", "hold_id"),
    "confirm": (
        "confirm",
        "confirmed",
        "bestaetigung",
        "bestätigung",
        "confirm_reschedule",
        "confirm_cancel",
    ),
}


@dataclass
class FunctionContext:
    call: Call
    route: Route
    request: FunctionCall
    args: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def branch(self) -> Branch | None:
        """The branch the caller named (argument `branch`), else the call's: its number's, or the one
        named earlier in this call, or the company's only one. None on the central line until named.

        A name that matches no branch or several raises `ArgumentProblem` (the agent asks again).
        """
        spoken = self.arg("branch")
        if not spoken:
            return self.call.branch or selectors.branch_for_call(self.route.branch_id)
        matches = branch_matching(spoken)
        if len(matches) != 1:
            raise self._which_branch(spoken, matches)
        if self.call.branch_id is None:
            call_note_branch(call=self.call, branch=matches[0])
        return selectors.branch_for_call(matches[0].pk)

    def require_branch(self) -> Branch:
        """The branch this answer depends on; on the central line, a question naming the branches."""
        if self.branch is None:
            raise self._which_branch("", [])
        return self.branch

    def _which_branch(self, spoken: str, matches: list[Branch]) -> ArgumentProblem:
        offered = matches or list(selectors.active_branches())
        names = self.listing([branch.name for branch in offered], "or")
        if matches:
            status, message = "ambiguous_branch", self.say("ambiguous_branch", options=names)
        elif spoken:
            status, message = "unknown_branch", self.say("unknown_branch", value=spoken, options=names)
        else:
            status, message = "branch_needed", self.say("branch_needed", options=names)
        branches = [{"id": b.pk, "name": b.name, "address": " ".join(b.address.split())} for b in offered]
        return ArgumentProblem("branch", status, message, branches=branches)

    @cached_property
    def language(self) -> str:
        return speech.language_of(self.route.company.language)

    @cached_property
    def now(self) -> datetime:
        return timezone.now().astimezone(selectors.call_timezone(self.branch))

    @cached_property
    def caller_phone(self) -> str:
        """The number the call came from, as stored on the call, in E.164; "" when withheld."""
        return try_normalise_phone(self.call.caller_number) or ""

    @cached_property
    def customer(self) -> Customer | None:
        """The stored caller's record; a withheld number has none (arguments never choose it)."""
        if not self.caller_phone:
            return None
        return self.call.customer or customer_for_phone(self.caller_phone)

    def dictated_phone(self) -> str:
        """A number the caller gave that is not the one they call from ("" when none or their own)."""
        given = self.arg("phone")
        if not given:
            return ""
        phone = try_normalise_phone(given)
        if phone is None:
            raise ArgumentProblem("phone", "invalid_argument", self.say("invalid_phone"))
        return "" if phone == self.caller_phone else phone

    # -- speaking --
    def say(self, key: str, **params: Any) -> str:
        return phrases.say(key, self.language, **params)

    def listing(self, items: list[str], conjunction: str = "and") -> str:
        return phrases.spoken_list(items, self.language, conjunction=conjunction)

    def moment(self, at: datetime) -> str:
        return speech.spoken_moment(at.astimezone(self.now.tzinfo), self.language)

    def ask(self, field_name: str, key: str) -> ArgumentProblem:
        return ArgumentProblem(field_name, "missing_argument", self.say(key))

    # -- arguments --
    def arg(self, name: str) -> str:
        """The first non-empty value among the argument's spellings, as a stripped string ("" if none)."""
        for key in ALIASES.get(name, (name,)):
            value = self.args.get(key)
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float | str) and str(value).strip():
                return str(value).strip()
        return ""

    def require(self, name: str, ask_key: str) -> str:
        value = self.arg(name)
        if not value:
            raise self.ask(name, ask_key)
        return value

    def flag(self, name: str) -> bool:
        for key in ALIASES.get(name, (name,)):
            value = self.args.get(key)
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "yes", "ja", "1"):
                return True
        return False

    def when(self, name: str, *, extra: str = "", ask_key: str = "ask_when") -> SpokenTime:
        """Parse a date/time argument (ISO or spoken German/English) in the branch's timezone."""
        text = " ".join(part for part in (self.require(name, ask_key), extra) if part)
        try:
            return parse_spoken_time(text, now=self.now)
        except SpokenTimeError as error:
            raise ArgumentProblem(name, "invalid_argument", self.say("unclear_when", value=text)) from error

    def future_when(self, name: str, *, extra: str = "", ask_key: str = "ask_when") -> SpokenTime:
        wish = self.when(name, extra=extra, ask_key=ask_key)
        if wish.is_past(self.now):
            raise ArgumentProblem(name, "in_the_past", self.say("in_the_past"))
        return wish

    # -- the company's things, limited to this branch --
    def services(self) -> list[Service]:
        services = Service.objects.filter(is_active=True)
        if self.branch is not None:
            services = services.filter(Q(branches=self.branch) | Q(branches__isnull=True)).distinct()
        return list(services.order_by("name"))

    def service(self) -> Service:
        wanted = self.require("service", "ask_service")
        offered = self.services()
        match = _match_by_name(wanted, offered)
        if isinstance(match, Service):
            return match
        names = [service.name for service in (match or offered)]
        if match:
            raise ArgumentProblem(
                "service", "ambiguous", self.say("ambiguous_service", options=self.listing(names, "or"))
            )
        raise ArgumentProblem(
            "service",
            "unknown_service",
            self.say("unknown_service", value=wanted, options=self.listing(names)),
        )

    def staff(self) -> Staff | None:
        wanted = self.arg("staff")
        if not wanted:
            return None
        team = Staff.objects.filter(is_active=True)
        if self.branch is not None:
            team = team.filter(branches=self.branch)
        match = _match_by_name(wanted, list(team))
        if isinstance(match, Staff):
            return match
        raise ArgumentProblem("staff", "unknown_staff", self.say("unknown_staff", value=wanted))


def _match_by_name(wanted: str, candidates: list[Any]) -> Any:
    """One candidate (exact, then the only partial match), or the list of partial matches (maybe empty).

    Also accepts a candidate's id, since agents sometimes pass back the id we gave them.
    """
    text = wanted.strip().lower()
    for candidate in candidates:
        if str(candidate.pk) == text or candidate.name.lower() == text:
            return candidate
    partial = [c for c in candidates if text in c.name.lower() or c.name.lower() in text]
    if len(partial) == 1:
        return partial[0]
    return partial
