"""System-generated texts (assignment reasons, timeline entries, escalation notes, note headings) stored as a
message key with parameters and rendered in the reader's language.

The stored form is JSON: a message `{"key": ..., "params": {...}}`, a translatable word `{"gettext": ...}`
(a choice label such as a priority, by its English msgid), a list of parts (shown joined by "; "), or a plain
string (free text someone typed, or an old row nobody recognised: shown as it is). Parameters may themselves
be stored forms, so "Nobody could be assigned: <reason>" keeps its reason translatable too.

Render with `render_message`: in the active language (the admin request's), or in the one passed (an
email's recipient). Never store a rendered text: the reader's language is only known when reading.
"""

import json
import re
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Stored = str | dict | list

MESSAGES: dict[str, Promise] = {
    # why nobody could be assigned
    "branch_closed": _("%(branch)s is closed now, nobody is on duty"),
    "nobody_at_branch": _("nobody at %(branch)s is active and accepts callbacks"),
    "nobody_for_service": _("nobody at %(branch)s who accepts callbacks handles %(service)s"),
    "nobody_else": _("nobody else at %(branch)s is eligible"),
    "everyone_full": _(
        "all %(count)s eligible staff at %(branch)s have reached their maximum of open callbacks"
    ),
    "back_to_pool": _("Back to the pool: %(reason)s"),
    "staff_away": _("%(staff)s is absent (%(kind)s) until %(until)s"),
    "staff_deactivated": _("%(staff)s is no longer active"),
    "staff_stopped": _("%(staff)s no longer takes callbacks"),
    "staff_untouched": _("%(staff)s made no contact attempt within %(share)s of the time to the deadline"),
    # why this assignee
    "assigned_by": _("assigned by %(actor)s"),
    "escalated_to_by": _("escalated to %(staff)s by %(actor)s"),
    "after_escalation": _("escalation: %(reason)s"),
    "preferred_staff": _("preferred staff member (%(count)s open)"),
    "last_handler": _("last handled this customer (%(count)s open)"),
    "least_loaded_for_service": _("least loaded of %(eligible)s eligible for %(service)s: %(count)s open"),
    "least_loaded_in_branch": _("least loaded of %(eligible)s eligible in %(branch)s: %(count)s open"),
    "round_robin": _("round robin: %(position)s of %(eligible)s eligible"),
    # escalation notes
    "nobody_else_could": _("nobody else could take it (%(reason)s)"),
    "stays_with": _("stays with %(staff)s"),
    "stays_unassigned": _("stays unassigned"),
    "handed_to": _("handed to %(staff)s"),
    "reassigned_to": _("reassigned to %(staff)s"),
    "priority_raised": _("priority raised from %(old)s to %(new)s"),
    "admins_informed": _("company admins informed"),
    # timeline entries
    "created_chosen": _("Created (%(source)s), chosen priority %(priority)s, due %(deadline)s"),
    "created_automatic": _("Created (%(source)s), automatic priority %(priority)s, due %(deadline)s"),
    "merged": _("Repeat request merged (%(source)s)"),
    "assigned_to": _("Assigned to %(staff)s: %(reason)s"),
    "nobody_assigned": _("Nobody could be assigned: %(reason)s"),
    "customer_reached": _("Customer reached"),
    "call_later": _("Customer asked to be called at %(when)s; deadline moved"),
    "contact_attempt": _("Contact attempt: %(outcome)s"),
    "contact_attempt_note": _("Contact attempt: %(outcome)s (%(note)s)"),
    "escalated": _("Escalated (%(reason)s, level %(level)s): %(notes)s"),
    "deadline_in": _("Deadline in %(minutes)s minutes"),
    "priority_changed": _("Priority %(old)s → %(new)s, due %(deadline)s"),
    "completed": _("Completed"),
    "completed_by_appointment": _(
        "Completed automatically: appointment #%(appointment)s booked for %(when)s through %(source)s"
    ),
    "cancelled": _("Cancelled"),
    "cancelled_because": _("Cancelled: %(reason)s"),
    "expired": _("Expired (deadline was %(deadline)s)"),
    "deleted": _("Deleted"),
    "restored": _("Restored"),
    "anonymised": _("[anonymised]"),
    "customer_anonymised": _("customer anonymised (GDPR)"),
    # headings of the blocks appended to a callback's notes
    "note_by": _("Note by %(actor)s"),
    "completed_by": _("Completed by %(actor)s"),
    "cancelled_by": _("Cancelled by %(actor)s"),
    "appointment_booked": _("Appointment booked"),
    "repeat_request": _("Repeat request %(when)s (%(source)s)"),
}  # fmt: skip


def message(key: str, **params: Any) -> dict:
    """The stored form of system message `key` with its parameters (plain values or stored forms)."""
    if key not in MESSAGES:
        raise KeyError(f"unknown system message {key!r}")
    return {"key": key, "params": params} if params else {"key": key}


def word(label: Promise | str) -> dict:
    """A translatable word, e.g. a choice label (`Priority.HIGH.label`), stored by its English msgid."""
    with translation.override("en"):
        return {"gettext": str(label)}


def render_message(stored: Stored | None, language: str | None = None) -> str:
    """`stored` in `language` (default: the active language); free text as it is, None as ""."""
    if language:
        with translation.override(language):
            return _render(stored)
    return _render(stored)


def _render(stored: Any) -> str:
    if stored is None:
        return ""
    if isinstance(stored, list):
        return "; ".join(text for text in map(_render, stored) if text)
    if isinstance(stored, dict) and "gettext" in stored:
        return gettext(str(stored["gettext"]))
    if isinstance(stored, dict) and "key" in stored:
        params = {name: _param(value) for name, value in (stored.get("params") or {}).items()}
        template = MESSAGES.get(stored["key"])
        if template is None:  # a key since retired: still say what we know
            return " ".join([str(stored["key"]), *map(str, params.values())])
        return str(template) % params if params else str(template)
    return str(stored)


def _param(value: Any) -> Any:
    return value if isinstance(value, int | float) else _render(value)


# --- headings inside a text column -----------------------------------------------------------------------
# A callback's notes are one text people also read raw; each appended block starts with a heading line,
# "--- <heading> ---", whose heading is the stored form as JSON.

HEADING_LINE = re.compile(r"^--- (.+) ---$", re.MULTILINE)


def heading_line(stored: Stored) -> str:
    return f"--- {json.dumps(stored, ensure_ascii=False)} ---"


def render_headings(text: str, language: str | None = None) -> str:
    """`text` with every stored heading rendered; other lines (and old headings) stay as they are."""

    def rendered(match: re.Match) -> str:
        try:
            stored = json.loads(match.group(1))
        except ValueError:
            return match.group(0)
        return f"--- {render_message(stored, language)} ---" if isinstance(stored, dict) else match.group(0)

    return HEADING_LINE.sub(rendered, text or "")
