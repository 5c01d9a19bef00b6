"""A manager's answer to an escalation: acknowledge it ("I am on it"), then resolve it with a note.

Who acknowledged and resolved, when, and the resolution note are kept in the escalation's `metadata`
(`acknowledged_at`, `acknowledged_by`, `resolved_by`, `resolution_note`); `resolved_at` is the column the
lists and the dashboard count open escalations by. Closing the callback still resolves its escalations
(`lifecycle`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackEscalation
from callbacks.services.base import User, actor_name
from common.events import emit

ALREADY_RESOLVED = _("This escalation is already resolved.")
NOTE_REQUIRED = _("Write a short note on how the escalation was resolved.")


def _locked(escalation: CallbackEscalation) -> CallbackEscalation:
    return CallbackEscalation.objects.select_for_update().select_related("callback").get(pk=escalation.pk)


def is_acknowledged(escalation: CallbackEscalation) -> bool:
    return bool(escalation.metadata.get("acknowledged_at"))


@transaction.atomic
def escalation_acknowledge(*, escalation: CallbackEscalation, by: User) -> CallbackEscalation:
    """Mark an open escalation as seen by a manager; acknowledging twice keeps the first acknowledgement."""
    escalation = _locked(escalation)
    if escalation.resolved_at is not None:
        raise ValidationError(ALREADY_RESOLVED, code="resolved")
    if is_acknowledged(escalation):
        return escalation
    escalation.metadata = {
        **escalation.metadata,
        "acknowledged_at": timezone.now().isoformat(),
        "acknowledged_by": actor_name(by),
    }
    escalation.save(update_fields=["metadata"])
    emit("callback.escalation_acknowledged", callback=escalation.callback, escalation=escalation, by=by)
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: CallbackEscalation, by: User, note: str) -> CallbackEscalation:
    """Close an escalation with a note saying what was done (acknowledging it too, if nobody had)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": ValidationError(NOTE_REQUIRED, code="required")})
    escalation = _locked(escalation)
    if escalation.resolved_at is not None:
        raise ValidationError(ALREADY_RESOLVED, code="resolved")
    now = timezone.now()
    metadata = {**escalation.metadata, "resolved_by": actor_name(by), "resolution_note": note}
    metadata.setdefault("acknowledged_at", now.isoformat())
    metadata.setdefault("acknowledged_by", actor_name(by))
    escalation.metadata, escalation.resolved_at = metadata, now
    escalation.save(update_fields=["metadata", "resolved_at"])
    emit("callback.escalation_resolved", callback=escalation.callback, escalation=escalation, by=by)
    return escalation
