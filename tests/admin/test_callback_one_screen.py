"""The one-screen callback over HTTP: only the actions the state allows are offered, anything else posted is
refused with the reason, no outcome is preselected, and each button calls its one service."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from callbacks.models import CallbackRequest, ContactAttempt
from callbacks.services import allowed
from common.messages import render_headings
from tests.admin.conftest import change_url, changelist_url
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory

Status = CallbackRequest.Status
OUTCOME_BUTTONS = ("outcome-no_answer", "outcome-voicemail", "outcome-reached_done", "outcome-reached_book")


def work_url(callback) -> str:
    return reverse("admin:callbacks_callbackrequest_work", args=[callback.pk])


def reloaded(callback) -> CallbackRequest:
    return CallbackRequest.all_objects.get(pk=callback.pk)


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_each_state_offers_only_its_actions(anna, max_manager, callbacks):
    pending, assigned = callbacks["mitte_open"], callbacks["anna_own"]
    contacted = AssignedCallbackFactory(branch=assigned.branch, assigned_to=anna, status=Status.CONTACTED)
    completed = AssignedCallbackFactory(branch=assigned.branch, assigned_to=anna, status=Status.COMPLETED)

    assert allowed.allowed_actions(pending, anna.user) == [
        "take",
        "assign",
        "auto_assign",
        "note",
        "escalate",
        "cancel",
    ]
    assert allowed.allowed_actions(assigned, anna.user) == [
        "log_attempt",
        "no_answer",
        "voicemail",
        "reached_done",
        "reached_book",
        "note",
        "escalate",
        "cancel",
    ]
    assert "complete" in allowed.allowed_actions(contacted, anna.user)
    assert allowed.allowed_actions(completed, anna.user) == ["note"]
    managing = allowed.allowed_actions(pending, max_manager.user)
    assert "take" not in managing  # Max takes no callbacks himself
    assert {"assign", "auto_assign", "soft_delete"} <= set(managing)


def test_the_page_of_a_pending_callback_offers_take_and_no_outcomes(as_user, anna, callbacks):
    html = as_user(anna).get(change_url(callbacks["mitte_open"])).content.decode()

    assert 'data-testid="take"' in html
    assert not any(f'data-testid="{button}"' in html for button in OUTCOME_BUTTONS)
    assert "/attempt/" not in html and "/complete/" not in html  # nor in the action buttons at the top


def test_the_page_of_an_assigned_callback_offers_the_four_outcomes_and_a_note(as_user, anna, callbacks):
    html = as_user(anna).get(change_url(callbacks["anna_own"])).content.decode()

    assert all(f'data-testid="{button}"' in html for button in OUTCOME_BUTTONS)
    assert 'data-testid="add-note"' in html and 'data-testid="take"' not in html
    for label in ("Nicht erreicht", "Mailbox", "Erreicht – erledigt", "Erreicht – Termin vereinbaren"):
        assert label in html


def test_no_outcome_is_preselected(as_user, anna, callbacks):
    html = as_user(anna).get(change_url(callbacks["anna_own"])).content.decode()
    outcomes = re.search(r'<form[^>]*data-testid="outcomes".*?</form>', html, re.S).group(0)

    assert "checked" not in outcomes and "selected" not in outcomes and 'type="radio"' not in outcomes
    assert outcomes.count('type="submit" name="action"') == 4  # one button per outcome, none a default
    assert re.search(r"<textarea[^>]*>\s*</textarea>", outcomes)  # the note starts empty


def test_the_list_row_menu_offers_only_what_the_row_allows(as_user, anna, callbacks):
    html = as_user(anna).get(changelist_url()).content.decode()
    pending, assigned = callbacks["mitte_open"], callbacks["anna_own"]

    assert f"/{pending.pk}/attempt/" not in html and f"/{pending.pk}/complete/" not in html
    assert f"/{assigned.pk}/attempt/" in html and f"/{assigned.pk}/complete/" not in html
    # "Übernehmen" in the row, relative to the list like the row's menu
    assert f'formaction="./{pending.pk}/work/"' in html
    assert f'formaction="./{assigned.pk}/work/"' not in html


def test_posting_an_outcome_before_taking_it_is_refused_with_the_reason(as_user, anna, callbacks):
    pending = callbacks["mitte_open"]

    response = as_user(anna).post(work_url(pending), {"action": "reached_done", "note": "x"}, follow=True)

    assert "„Erreicht – erledigt“ ist für Rückruf" in messages_of(response)
    assert "noch hat ihn niemand übernommen" in messages_of(response)
    assert reloaded(pending).status == Status.PENDING
    assert not ContactAttempt.objects.filter(callback=pending).exists()


def test_a_row_action_that_does_not_fit_is_refused_with_the_reason(as_user, anna, callbacks):
    assigned = callbacks["anna_own"]

    response = as_user(anna).post(
        f"/admin/callbacks/callbackrequest/{assigned.pk}/complete/", {"note": "fertig"}, follow=True
    )

    assert "der Kunde wurde noch nicht erreicht" in messages_of(response)
    assert reloaded(assigned).status == Status.ASSIGNED


def test_taking_a_closed_callback_is_refused_with_its_status(as_user, anna, mitte):
    done = CallbackRequestFactory(branch=mitte, status=Status.CANCELLED)

    response = as_user(anna).post(work_url(done), {"action": "take"}, follow=True)

    assert "sein Status ist bereits „Storniert“" in messages_of(response)
    assert reloaded(done).assigned_to is None


def test_take_assigns_the_callback_to_me_and_stays_on_its_page(as_user, anna, callbacks):
    pending = callbacks["mitte_open"]

    response = as_user(anna).post(work_url(pending), {"action": "take"})

    assert response.status_code == 302 and response["Location"] == change_url(pending)
    assert (reloaded(pending).status, reloaded(pending).assigned_to) == (Status.ASSIGNED, anna)


def test_reached_done_records_the_attempt_and_completes(as_user, anna, callbacks):
    assigned = callbacks["anna_own"]

    response = as_user(anna).post(work_url(assigned), {"action": "reached_done", "note": "Termin passt"})

    assert response.status_code == 302 and response["Location"] == changelist_url()
    attempt = ContactAttempt.objects.get(callback=assigned)
    assert (attempt.outcome, attempt.note, attempt.staff) == ("reached", "Termin passt", anna)
    assert reloaded(assigned).status == Status.COMPLETED


def test_no_answer_and_voicemail_are_failed_attempts_without_closing(as_user, anna, callbacks):
    assigned = callbacks["anna_own"]
    client = as_user(anna)

    client.post(work_url(assigned), {"action": "no_answer"})
    client.post(work_url(assigned), {"action": "voicemail", "note": "AB besprochen"})

    outcomes = list(ContactAttempt.objects.filter(callback=assigned).values_list("outcome", "note"))
    assert outcomes == [("no_answer", ""), ("voicemail", "AB besprochen")]
    assert reloaded(assigned).status == Status.ASSIGNED
    assert reloaded(assigned).failed_attempts_count == 2


def test_reached_book_records_the_contact_and_opens_the_booking_screen(as_user, anna, callbacks):
    assigned = callbacks["anna_own"]

    response = as_user(anna).post(work_url(assigned), {"action": "reached_book"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:appointments_appointment_add") + "?origin=")
    assert reloaded(assigned).status == Status.CONTACTED


def test_a_note_on_its_own_changes_nothing_else(as_user, anna, callbacks):
    assigned = callbacks["anna_own"]

    response = as_user(anna).post(work_url(assigned), {"action": "note", "note": "Ruft nach 16 Uhr zurück"})
    empty = as_user(anna).post(work_url(assigned), {"action": "note", "note": "  "}, follow=True)

    assert response.status_code == 302 and response["Location"] == change_url(assigned)
    callback = reloaded(assigned)
    assert "Ruft nach 16 Uhr zurück" in callback.notes and "Note by Anna" in render_headings(
        callback.notes, "en"
    )
    assert callback.status == Status.ASSIGNED and callback.contact_attempts_count == 0
    assert "Schreiben Sie zuerst die Notiz." in messages_of(empty)


def test_work_is_post_only_and_scoped_to_what_the_user_sees(as_user, anna, callbacks):
    client = as_user(anna)

    assert client.get(work_url(callbacks["anna_own"])).status_code == 405
    assert client.post(work_url(callbacks["ben_own"]), {"action": "take"}).status_code == 403
    assert client.post(work_url(callbacks["nord_open"]), {"action": "take"}).status_code == 403
    assert reloaded(callbacks["nord_open"]).assigned_to is None


def test_the_list_shows_local_deadline_time_and_colours(as_user, anna, mitte):
    now = timezone.now()
    soon = AssignedCallbackFactory(branch=mitte, assigned_to=anna, expires_at=now + timedelta(minutes=20))
    later = AssignedCallbackFactory(
        branch=mitte, assigned_to=anna, expires_at=now + timedelta(hours=5, minutes=30)
    )
    late = AssignedCallbackFactory(branch=mitte, assigned_to=anna, expires_at=now - timedelta(minutes=5))

    html = as_user(anna).get(changelist_url()).content.decode()

    def state(callback) -> str:
        return re.search(
            rf'data-state="(\w+)" data-deadline="{re.escape(callback.expires_at.isoformat())}"', html
        )[1]

    assert (state(soon), state(later), state(late)) == ("soon", "ok", "overdue")
    local = timezone.localtime(later.expires_at, mitte.tzinfo)
    assert f"{local:%d.%m.%Y %H:%M}" in html  # the local time itself, not only "in 5 Std."
    assert "in 5 Std." in html
