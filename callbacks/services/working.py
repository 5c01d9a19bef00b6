"""What staff do on the callback page in one click: take it, close it as reached, add a note."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackRequest, ContactAttempt
from callbacks.services.assigning import callback_assign
from callbacks.services.base import CALLBACK_DELETED, User, _append_note, _locked, _save, actor_param
from callbacks.services.lifecycle import callback_complete, callback_record_contact_attempt
from common.messages import message
from org.models import Staff

NOTE_REQUIRED = _("Write the note first.")
NO_STAFF_PROFILE = _("Only staff members can take a callback.")


@transaction.atomic
def callback_take(*, callback: CallbackRequest, by: User) -> CallbackRequest:
    """The user takes the callback themselves: a hand assignment to their own staff profile (same checks)."""
    try:
        staff = by.staff
    except Staff.DoesNotExist:
        raise ValidationError(NO_STAFF_PROFILE, code="no_staff") from None
    return callback_assign(callback=callback, staff=staff, by=by)


@transaction.atomic
def callback_close_reached(
    *, callback: CallbackRequest, note: str = "", staff: Staff | None = None, by: User | None = None
) -> CallbackRequest:
    """ "Reached – done": one contact attempt that reached the customer (with the note), then completed.

    Both steps in one transaction, so a refused completion leaves no half-recorded attempt.
    """
    callback_record_contact_attempt(
        callback=callback, outcome=ContactAttempt.Outcome.REACHED, note=note, staff=staff, by=by
    )
    return callback_complete(callback=callback, by=by)


@transaction.atomic
def callback_add_note(*, callback: CallbackRequest, note: str, by: User | None = None) -> CallbackRequest:
    """A note on its own (no attempt, no status change), added under a heading naming who wrote it; the
    change history keeps when."""
    text = note.strip()
    if not text:
        raise ValidationError({"note": ValidationError(NOTE_REQUIRED, code="required")})
    callback = _locked(callback)
    if callback.deleted_at is not None:
        raise ValidationError(CALLBACK_DELETED, code="deleted")
    _append_note(callback, message("note_by", actor=actor_param(by)), text)
    _save(callback, "notes")
    return callback
