"""One-click work on a callback: take it (from the list or its page), record an outcome, add a note.

Each button posts one action; `services.refusal` decides whether it fits the callback now (and says why
not), one service call does it. Closing outcomes go back to the list, to the next callback.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from callbacks import services, visibility
from callbacks.admin.actions import DONE, NOT_ALLOWED_NOW
from callbacks.admin.booking_link import booking_link
from callbacks.models import CallbackRequest, ContactAttempt
from callbacks.services import allowed

Outcome = ContactAttempt.Outcome

# The buttons of the callback page, in the order shown; none is preselected.
LABELS = {
    allowed.TAKE: _("Take it"),
    allowed.NO_ANSWER: _("Not reached"),
    allowed.VOICEMAIL: _("Voicemail"),
    allowed.REACHED_DONE: _("Reached – done"),
    allowed.REACHED_BOOK: _("Reached – book appointment"),
    allowed.NOTE: _("Note"),
}
UNKNOWN_ACTION = _("Unknown action.")


def _attempt(outcome: str) -> Callable[[HttpRequest, CallbackRequest, str], str]:
    def record(request: HttpRequest, callback: CallbackRequest, note: str) -> str:
        services.callback_record_contact_attempt(
            callback=callback,
            outcome=outcome,
            note=note,
            staff=visibility.staff_of(request.user),
            by=request.user,
        )
        return gettext("contact attempt recorded (%(outcome)s)") % {"outcome": Outcome(outcome).label}

    return record


def _take(request: HttpRequest, callback: CallbackRequest, note: str) -> str:
    services.callback_take(callback=callback, by=request.user)
    return gettext("taken by you")


def _reached_done(request: HttpRequest, callback: CallbackRequest, note: str) -> str:
    staff = visibility.staff_of(request.user)
    services.callback_close_reached(callback=callback, note=note, staff=staff, by=request.user)
    return gettext("completed")


def _note(request: HttpRequest, callback: CallbackRequest, note: str) -> str:
    services.callback_add_note(callback=callback, note=note, by=request.user)
    return gettext("note added")


PERFORM = {
    allowed.TAKE: _take,
    allowed.NO_ANSWER: _attempt(Outcome.NO_ANSWER),
    allowed.VOICEMAIL: _attempt(Outcome.VOICEMAIL),
    allowed.REACHED_DONE: _reached_done,
    allowed.REACHED_BOOK: _reached_done,  # without a booking screen to go to (see `work_view`)
    allowed.NOTE: _note,
}
STAY_ON_PAGE = (allowed.TAKE, allowed.NOTE)


class QuickActionsMixin:
    """`<id>/work/`: the one-click buttons of the list and the callback page (POST only)."""

    def get_urls(self):
        work = path(
            "<path:object_id>/work/",
            self.admin_site.admin_view(self.work_view),
            name="callbacks_callbackrequest_work",
        )
        return [work, *super().get_urls()]

    def work_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        callback = self._object_or_refuse(request, object_id)
        action = request.POST.get("action", "")
        back = self._change_url(callback.pk)
        if action not in PERFORM:
            messages.error(request, UNKNOWN_ACTION)
            return HttpResponseRedirect(back)
        why = services.refusal(action, callback, request.user)
        if why is not None:
            title = LABELS[action]
            messages.error(request, NOT_ALLOWED_NOW % {"action": title, "id": callback.pk, "reason": why})
            return HttpResponseRedirect(back)
        note = request.POST.get("note", "").strip()
        book_url = booking_link(request, callback) if action == allowed.REACHED_BOOK else ""
        try:
            if book_url:
                _attempt(Outcome.REACHED)(request, callback, note)
                return HttpResponseRedirect(book_url)
            what = PERFORM[action](request, callback, note)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(back)
        self.log_change(request, callback, f"{LABELS[action]}: {what}")
        messages.success(request, DONE % {"id": callback.pk, "what": what})
        if action in STAY_ON_PAGE:
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("admin:callbacks_callbackrequest_changelist"))
