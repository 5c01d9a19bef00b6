"""The callback page's timeline (in the reader's language) and its audit trail of field changes."""

from datetime import datetime
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackEscalation, CallbackEvent, CallbackRequest, ContactAttempt
from common.messages import Stored, render_headings, render_message
from common.templatetags.switchboard import local_datetime
from org.models import Staff

Priority = CallbackRequest.Priority


def _parse_time(value: Any):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if isinstance(value, str) else None


def timeline_text(event: CallbackEvent, callback: CallbackRequest, notes: dict[int, str]) -> str:
    """What happened, in the reader's language where the entry's data allows; else the stored wording."""
    Kind = CallbackEvent.Kind
    data = event.details or {}
    branch = callback.branch
    if event.kind == Kind.CREATED and data.get("priority") in Priority.values:
        return gettext("Priority %(priority)s, due %(deadline)s") % {
            "priority": Priority(data["priority"]).label,
            "deadline": local_datetime(_parse_time(data.get("expires_at")), branch),
        }
    if event.kind == Kind.ASSIGNED and event.staff is not None:
        return gettext("Assigned to %(staff)s (%(reason)s)") % {
            "staff": event.staff.name,
            "reason": render_message(data.get("reason", "")),
        }
    if event.kind == Kind.CONTACT_ATTEMPT and data.get("outcome") in ContactAttempt.Outcome.values:
        label = str(ContactAttempt.Outcome(data["outcome"]).label)
        note = notes.get(data.get("attempt_id"))
        return f"{label} ({note})" if note else label
    if event.kind == Kind.CONTACTED:
        return gettext("Customer reached")
    if event.kind == Kind.DEADLINE_MOVED and data.get("expires_at"):
        return gettext("Deadline moved from %(old)s to %(new)s") % {
            "old": local_datetime(_parse_time(data.get("previous")), branch) or "—",
            "new": local_datetime(_parse_time(data["expires_at"]), branch),
        }
    if event.kind == Kind.ESCALATED and data.get("reason") in CallbackEscalation.Reason.values:
        return gettext("%(reason)s, level %(level)s") % {
            "reason": CallbackEscalation.Reason(data["reason"]).label,
            "level": data.get("level", ""),
        }
    if event.kind == Kind.SLA_APPROACHING and "minutes_left" in data:
        return gettext("Deadline in %(minutes)s minutes") % {"minutes": data["minutes_left"]}
    if event.kind == Kind.CANCELLED:
        return _cancel_reason(event.message)
    if event.kind in (Kind.COMPLETED, Kind.EXPIRED, Kind.DELETED, Kind.RESTORED):
        return ""
    return render_message(event.message)


def _cancel_reason(stored: Stored) -> str:
    """The reason given for cancelling (the entry's label already says "cancelled")."""
    if isinstance(stored, dict):
        return render_message((stored.get("params") or {}).get("reason"))
    return str(stored).partition(": ")[2]


AUDIT_LENGTH = 50


def _audit_value(field_name: str, value: Any, names: dict[tuple[str, int], str]) -> str:
    """A recorded value as people read it: choice labels, names of related rows, local times."""
    if value in (None, ""):
        return "—"
    field = CallbackRequest._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return names.get((field.related_model._meta.label, value), f"#{value}")
    if isinstance(value, datetime):
        return local_datetime(value)
    if field_name in ("assignment_reason", "unassignable_reason"):
        return render_message(value)
    if field_name == "notes":
        return render_headings(value)
    return str(value)


def _audit_label(field_name: str) -> str:
    """The field's label; relations without an explicit (translatable) verbose name get one looked up."""
    return capfirst(gettext(str(CallbackRequest._meta.get_field(field_name).verbose_name)))


# Relations declared without a verbose name get Django's automatic label (English); listed here so that
# makemessages offers them for translation and `_audit_label` finds them in the catalogue.
AUDIT_LABELS_FOR_TRANSLATORS = [
    _("assigned to"),
    _("preferred staff"),
    _("customer"),
    _("service"),
    _("call"),
]


def audit_history(callback: CallbackRequest) -> list[dict[str, Any]]:
    """Old and new values of every recorded change (django-simple-history), newest first."""
    history = getattr(callback, "history", None)
    if history is None:
        return []
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[:AUDIT_LENGTH]
    )
    deltas = [
        newer.diff_against(older).changes if older is not None else []
        for newer, older in zip(records, [*records[1:], None], strict=False)
    ]
    staff_ids = {
        value
        for changes in deltas
        for change in changes
        if change.field in ("assigned_to", "preferred_staff")
        for value in (change.old, change.new)
        if value
    }
    names = {
        (Staff._meta.label, pk): name
        for pk, name in Staff.objects.filter(pk__in=staff_ids).values_list("pk", "name")
    }
    return [
        {
            "at": record.history_date,
            "who": str(record.history_user or ""),
            "type": record.get_history_type_display(),
            "changes": [
                {
                    "field": _audit_label(change.field),
                    "old": _audit_value(change.field, change.old, names),
                    "new": _audit_value(change.field, change.new, names),
                }
                for change in changes
            ],
        }
        for record, changes in zip(records, deltas, strict=True)
    ]
