"""System texts already stored as English sentences become message keys with parameters (`common.messages`),
so they too are shown in the reader's language: assignment and unassignable reasons (also in the change
history), timeline entries, escalation notes and the headings of the blocks appended to a callback's notes.

A text is converted only when it matches one of the exact formats the services used to write; a list joined
by "; " is converted part by part; anything else stays as free text and is shown as it is. The columns become
text here (the converted JSON may be longer than 255 characters) and JSON in the next migration.

The old formats are copied here on purpose: this migration must keep reading what was written then.
"""

import json
import re
from typing import Any

from django.db import migrations, models

# ruff: noqa: E501 (the old formats read best one a line)

NAME = r"[^;]+"
PRIORITY_LABELS = {"normal": "Normal", "high": "High", "urgent": "Urgent"}
SOURCE_LABELS = {
    "phone_agent": "Phone agent",
    "manual": "Manual",
    "api": "API",
    "booking_failure": "Booking failure",
}

# In order, first match wins. (old format, message key, how to read a parameter: int, word (a label), priority/source (a value), text
# (another stored text, parsed in turn); unnamed parameters are kept as they were written)
FORMATS: list[tuple[str, str, dict[str, str]]] = [
    (rf"nobody at (?P<branch>{NAME}) is active and accepts callbacks", "nobody_at_branch", {}),
    (rf"nobody at (?P<branch>{NAME}) who accepts callbacks handles (?P<service>{NAME})", "nobody_for_service", {}),
    (rf"nobody else at (?P<branch>{NAME}) is eligible", "nobody_else", {}),
    (
        rf"all (?P<count>\d+) eligible staff at (?P<branch>{NAME}) have reached their maximum of open callbacks",
        "everyone_full",
        {"count": "int"},
    ),
    (r"Back to the pool: (?P<reason>.+)", "back_to_pool", {"reason": "text"}),
    (rf"assigned by (?P<actor>{NAME})", "assigned_by", {}),
    (rf"escalated to (?P<staff>{NAME}) by (?P<actor>{NAME})", "escalated_to_by", {}),
    (r"escalation: (?P<reason>.+)", "after_escalation", {"reason": "text"}),
    (r"preferred staff member \((?P<count>\d+) open\)", "preferred_staff", {"count": "int"}),
    (r"last handled this customer \((?P<count>\d+) open\)", "last_handler", {"count": "int"}),
    (
        rf"least loaded of (?P<eligible>\d+) eligible for (?P<service>{NAME}): (?P<count>\d+) open",
        "least_loaded_for_service",
        {"eligible": "int", "count": "int"},
    ),
    (
        rf"least loaded of (?P<eligible>\d+) eligible in (?P<branch>{NAME}): (?P<count>\d+) open",
        "least_loaded_in_branch",
        {"eligible": "int", "count": "int"},
    ),
    (
        r"round robin: (?P<position>\d+) of (?P<eligible>\d+) eligible",
        "round_robin",
        {"position": "int", "eligible": "int"},
    ),
    (r"nobody else could take it \((?P<reason>.+)\)", "nobody_else_could", {"reason": "text"}),
    (rf"stays with (?P<staff>{NAME})", "stays_with", {}),
    (r"stays unassigned", "stays_unassigned", {}),
    (rf"handed to (?P<staff>{NAME})", "handed_to", {}),
    (rf"reassigned to (?P<staff>{NAME})", "reassigned_to", {}),
    (
        r"priority raised from (?P<old>\w+) to (?P<new>\w+)",
        "priority_raised",
        {"old": "priority", "new": "priority"},
    ),
    (r"company admins informed", "admins_informed", {}),
    (
        r"Created \((?P<source>\w+)\), chosen priority (?P<priority>\w+), due (?P<deadline>.+)",
        "created_chosen",
        {"source": "source", "priority": "priority"},
    ),
    (
        r"Created \((?P<source>\w+)\), automatic priority (?P<priority>\w+), due (?P<deadline>.+)",
        "created_automatic",
        {"source": "source", "priority": "priority"},
    ),
    (r"Repeat request merged \((?P<source>\w+)\)", "merged", {"source": "source"}),
    (r"Assigned to (?P<staff>[^:;]+): (?P<reason>.+)", "assigned_to", {"reason": "text"}),
    (r"Nobody could be assigned: (?P<reason>.+)", "nobody_assigned", {"reason": "text"}),
    (r"Customer reached", "customer_reached", {}),
    (r"Customer asked to be called at (?P<when>.+); deadline moved", "call_later", {}),
    (
        r"Contact attempt: (?P<outcome>[^(]+?) \((?P<note>.*)\)",
        "contact_attempt_note",
        {"outcome": "word"},
    ),
    (r"Contact attempt: (?P<outcome>.+)", "contact_attempt", {"outcome": "word"}),
    (
        r"Escalated \((?P<reason>[^,]+), level (?P<level>\d+)\): (?P<notes>.*)",
        "escalated",
        {"reason": "word", "level": "int", "notes": "text"},
    ),
    (r"Deadline in (?P<minutes>-?\d+) minutes", "deadline_in", {"minutes": "int"}),
    (
        r"Priority (?P<old>\w+) → (?P<new>\w+), due (?P<deadline>.+)",
        "priority_changed",
        {"old": "priority", "new": "priority"},
    ),
    (r"Completed", "completed", {}),
    (
        r"Completed automatically: appointment #(?P<appointment>\d+) booked for (?P<when>.+) through (?P<source>.+)",
        "completed_by_appointment",
        {"appointment": "int", "source": "word"},
    ),
    (r"Cancelled", "cancelled", {}),
    (r"Cancelled: (?P<reason>.+)", "cancelled_because", {"reason": "text"}),
    (r"Expired \(deadline was (?P<deadline>.+)\)", "expired", {}),
    (r"Deleted", "deleted", {}),
    (r"Restored", "restored", {}),
    (r"\[anonymised\]", "anonymised", {}),
    (r"customer anonymised \(GDPR\)", "customer_anonymised", {}),
    # after every format with a fixed start, which these would swallow ("Nobody could be assigned: …")
    (rf"(?P<branch>{NAME}) is closed now, nobody is on duty", "branch_closed", {}),
    (rf"(?P<staff>{NAME}) is absent \((?P<kind>[^;)]+)\) until (?P<until>{NAME})", "staff_away", {"kind": "word"}),
    (rf"(?P<staff>{NAME}) is no longer active", "staff_deactivated", {}),
    (rf"(?P<staff>{NAME}) no longer takes callbacks", "staff_stopped", {}),
    (
        rf"(?P<staff>{NAME}) made no contact attempt within (?P<share>\S+) of the (?:time to the deadline|SLA budget)",
        "staff_untouched",
        {},
    ),
    # headings of the blocks appended to a callback's notes
    (rf"Note by (?P<actor>{NAME})", "note_by", {}),
    (rf"Completed by (?P<actor>{NAME})", "completed_by", {}),
    (rf"Cancelled by (?P<actor>{NAME})", "cancelled_by", {}),
    (r"Appointment booked", "appointment_booked", {}),
    (
        r"Repeat request (?P<when>\d{4}-\d\d-\d\d \d\d:\d\d) \((?P<source>\w+)\)",
        "repeat_request",
        {"source": "source"},
    ),
]  # fmt: skip
COMPILED = [(re.compile(pattern), key, kinds) for pattern, key, kinds in FORMATS]


def _param(value: str, kind: str | None) -> Any:
    if kind == "int":
        return int(value)
    if kind == "word":
        return {"gettext": value}
    if kind == "priority":
        return {"gettext": PRIORITY_LABELS.get(value, value)}
    if kind == "source":
        return {"gettext": SOURCE_LABELS.get(value, value)}
    if kind == "text":
        return stored_form(value)
    return value


def stored_form(text: str) -> Any:
    """The stored form of an old English text: a message, a list of parts, or the text unchanged."""
    for pattern, key, kinds in COMPILED:
        match = pattern.fullmatch(text)
        if match:
            params = {name: _param(value, kinds.get(name)) for name, value in match.groupdict().items()}
            return {"key": key, "params": params} if params else {"key": key}
    if "; " in text:
        parts = [stored_form(part) for part in text.split("; ")]
        if any(not isinstance(part, str) for part in parts):
            return parts
    return text


def as_json_text(value: Any) -> str:
    """A column's old value as the JSON text the next migration casts to jsonb ("" stays an empty text)."""
    if isinstance(value, str) and value.startswith(("{", "[", '"')):
        try:  # already converted (a row written after the code change, or this migration run twice)
            json.loads(value)
            return value
        except ValueError:
            pass
    return json.dumps(stored_form(value) if value else "", ensure_ascii=False)


HEADING_LINE = re.compile(r"^--- (.+) ---$", re.MULTILINE)


def converted_notes(notes: str) -> str:
    """Notes with every recognised old heading line ("--- Note by Anna ---") as a stored message."""

    def heading(match: re.Match) -> str:
        stored = stored_form(match.group(1))
        if isinstance(stored, dict):
            return f"--- {json.dumps(stored, ensure_ascii=False)} ---"
        return match.group(0)

    return HEADING_LINE.sub(heading, notes or "")


def _convert(rows, fields: list[str], notes: bool = False) -> None:
    changed = []
    for row in rows.iterator(chunk_size=500):
        before = [getattr(row, name) for name in fields] + ([row.notes] if notes else [])
        for name in fields:
            setattr(row, name, as_json_text(getattr(row, name)))
        if notes:
            row.notes = converted_notes(row.notes)
        if before != [getattr(row, name) for name in fields] + ([row.notes] if notes else []):
            changed.append(row)
    rows.model.objects.bulk_update(changed, [*fields, *(["notes"] if notes else [])], batch_size=500)


def convert_event_details(CallbackEvent) -> None:
    """The reason an assignment entry keeps in its data (shown in the timeline) is a stored text too."""
    changed = []
    for event in CallbackEvent.objects.filter(details__has_key="reason").iterator(chunk_size=500):
        reason = event.details["reason"]
        if event.kind in ("assigned", "unassignable") and isinstance(reason, str) and reason:
            event.details = {**event.details, "reason": stored_form(reason)}
            changed.append(event)
    CallbackEvent.objects.bulk_update(changed, ["details"], batch_size=500)


def forwards(apps, schema_editor) -> None:
    CallbackRequest = apps.get_model("callbacks", "CallbackRequest")
    HistoricalCallbackRequest = apps.get_model("callbacks", "HistoricalCallbackRequest")
    CallbackEvent = apps.get_model("callbacks", "CallbackEvent")
    CallbackEscalation = apps.get_model("callbacks", "CallbackEscalation")
    reasons = ["assignment_reason", "unassignable_reason"]
    _convert(CallbackRequest._base_manager.all(), reasons, notes=True)
    _convert(HistoricalCallbackRequest.objects.all(), reasons, notes=True)
    _convert(CallbackEvent.objects.all(), ["message"])
    convert_event_details(CallbackEvent)
    _convert(CallbackEscalation.objects.all(), ["notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0008_audit_trail"),
    ]

    operations = [
        migrations.AlterField(
            model_name="callbackescalation",
            name="notes",
            field=models.TextField(blank=True, verbose_name="notes"),
        ),
        migrations.AlterField(
            model_name="callbackevent",
            name="message",
            field=models.TextField(verbose_name="details"),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="assignment_reason",
            field=models.TextField(blank=True, verbose_name="why this assignee"),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="unassignable_reason",
            field=models.TextField(blank=True, verbose_name="why nobody could be assigned"),
        ),
        migrations.AlterField(
            model_name="historicalcallbackrequest",
            name="assignment_reason",
            field=models.TextField(blank=True, verbose_name="why this assignee"),
        ),
        migrations.AlterField(
            model_name="historicalcallbackrequest",
            name="unassignable_reason",
            field=models.TextField(blank=True, verbose_name="why nobody could be assigned"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
