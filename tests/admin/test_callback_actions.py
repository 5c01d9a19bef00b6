"""Row, detail and bulk actions: each one calls the service and shows its errors on the form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import CallbackEscalation, CallbackRequest, ContactAttempt
from tests.admin.conftest import change_url, changelist_url
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.messages import english

Status = CallbackRequest.Status


def action_url(callback, name: str) -> str:
    return f"/admin/callbacks/callbackrequest/{callback.pk}/{name}/"


def reloaded(callback) -> CallbackRequest:
    return CallbackRequest.all_objects.get(pk=callback.pk)


def test_assign_offers_only_eligible_staff(as_user, max_manager, anna, ben, nora, callbacks, mitte):
    ben.max_open_callbacks = 1
    ben.save()  # Ben already has one open callback: he is full
    response = as_user(max_manager).get(action_url(callbacks["mitte_open"], "assign"))

    offered = {staff.name for staff in response.context["form"].fields["staff"].queryset}
    assert offered == {"Anna"}  # not Ben (full), not Nora (other branch), not Max (takes no callbacks)


def test_manager_assigns_a_callback(as_user, max_manager, anna, callbacks):
    callback = callbacks["mitte_open"]

    response = as_user(max_manager).post(action_url(callback, "assign"), {"staff": anna.pk})

    assert response.status_code == 302
    assert reloaded(callback).assigned_to == anna
    assert reloaded(callback).status == Status.ASSIGNED


def test_staff_may_only_take_a_callback_themselves(as_user, anna, ben, callbacks):
    callback = callbacks["mitte_open"]
    client = as_user(anna)

    offered = set(client.get(action_url(callback, "assign")).context["form"].fields["staff"].queryset)
    response = client.post(action_url(callback, "assign"), {"staff": ben.pk})

    assert offered == {anna}
    assert response.status_code == 200
    assert "staff" in response.context["form"].errors
    assert reloaded(callback).assigned_to is None


def test_auto_assign_with_a_strategy(as_user, max_manager, anna, ben, callbacks):
    callback = callbacks["mitte_open"]

    response = as_user(max_manager).post(action_url(callback, "auto-assign"), {"strategy": "round_robin"})

    assert response.status_code == 302
    assert reloaded(callback).assigned_to in (anna, ben)
    assert "round robin" in english(reloaded(callback).assignment_reason)


def test_log_contact_attempt_makes_the_callback_contacted(as_user, anna, callbacks):
    callback = callbacks["anna_own"]

    response = as_user(anna).post(action_url(callback, "attempt"), {"outcome": "reached", "note": "ok"})

    assert response.status_code == 302
    attempt = ContactAttempt.objects.get(callback=callback)
    assert (attempt.outcome, attempt.note, attempt.staff) == ("reached", "ok", anna)
    assert reloaded(callback).status == Status.CONTACTED


def test_call_later_needs_a_time_and_the_error_names_the_field(as_user, anna, callbacks):
    callback = callbacks["anna_own"]

    response = as_user(anna).post(action_url(callback, "attempt"), {"outcome": "asked_to_call_later"})

    assert response.status_code == 200
    assert "call_back_at" in response.context["form"].errors
    assert not ContactAttempt.objects.filter(callback=callback).exists()


def test_complete_requires_a_note(as_user, anna, callbacks):
    callback = callbacks["anna_own"]
    callback.status = Status.CONTACTED
    callback.save()
    client = as_user(anna)

    refused = client.post(action_url(callback, "complete"), {"note": ""})
    done = client.post(action_url(callback, "complete"), {"note": "Termin vereinbart"})

    assert "note" in refused.context["form"].errors
    assert done.status_code == 302
    assert reloaded(callback).status == Status.COMPLETED
    assert "Termin vereinbart" in reloaded(callback).notes


def test_complete_is_not_offered_before_contact(as_user, anna, callbacks):
    callback = callbacks["anna_own"]

    response = as_user(anna).post(action_url(callback, "complete"), {"note": "x"})

    assert response.status_code == 302
    assert reloaded(callback).status == Status.ASSIGNED


def test_escalate_by_hand(as_user, max_manager, callbacks):
    callback = callbacks["anna_own"]

    response = as_user(max_manager).post(
        action_url(callback, "escalate"), {"reason": "manual", "details": "Kunde verärgert"}
    )

    assert response.status_code == 302
    escalation = CallbackEscalation.objects.get(callback=callback)
    assert escalation.reason == "manual"
    assert "Kunde verärgert" in escalation.notes


def test_cancel_requires_a_reason(as_user, anna, callbacks):
    callback = callbacks["anna_own"]
    client = as_user(anna)

    refused = client.post(action_url(callback, "cancel"), {"reason": ""})
    done = client.post(action_url(callback, "cancel"), {"reason": "Kunde hat abgesagt"})

    assert "reason" in refused.context["form"].errors
    assert done.status_code == 302
    assert reloaded(callback).status == Status.CANCELLED


def test_manager_moves_to_trash_and_restores(as_user, max_manager, callbacks):
    callback = callbacks["mitte_open"]
    client = as_user(max_manager)

    client.post(action_url(callback, "delete"), {})
    assert reloaded(callback).deleted_at is not None
    client.post(action_url(callback, "restore"), {})
    assert reloaded(callback).deleted_at is None


def test_detail_page_shows_timeline_and_only_the_actions_that_fit(as_user, max_manager, anna, callbacks):
    callback = callbacks["mitte_open"]
    client = as_user(max_manager)
    client.post(action_url(callback, "assign"), {"staff": anna.pk})

    response = client.get(change_url(callback))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="assigned"' in html
    offered = {item["path"].rstrip("/").rsplit("/", 1)[-1] for item in response.context["actions_detail"]}
    assert "attempt" in offered and "escalate" in offered and "cancel" in offered
    assert "complete" not in offered and "restore" not in offered


def select(callbacks_) -> dict:
    return {"_selected_action": [str(cb.pk) for cb in callbacks_]}


def test_bulk_auto_assign_reports_who_got_how_many(as_user, max_manager, anna, ben, mitte, haircut):
    pending = [CallbackRequestFactory(branch=mitte, service=haircut) for _ in range(4)]

    response = as_user(max_manager).post(
        changelist_url(),
        {"action": "bulk_auto_assign", "apply": "1", "strategy": "load_based", **select(pending)},
        follow=True,
    )

    loads = {staff.name: CallbackRequest.objects.filter(assigned_to=staff).count() for staff in (anna, ben)}
    assert loads == {"Anna": 2, "Ben": 2}
    shown = [str(message) for message in response.context["messages"]]
    assert any("Anna (2)" in text and "Ben (2)" in text for text in shown)


def test_bulk_action_asks_first_then_applies(as_user, max_manager, anna, mitte, haircut):
    pending = [CallbackRequestFactory(branch=mitte, service=haircut) for _ in range(2)]
    client = as_user(max_manager)

    asked = client.post(changelist_url(), {"action": "bulk_assign", **select(pending)})
    applied = client.post(
        changelist_url(), {"action": "bulk_assign", "apply": "1", "staff": anna.pk, **select(pending)}
    )

    assert asked.status_code == 200 and asked.context["selected_count"] == 2
    assert applied.status_code == 302
    assert CallbackRequest.objects.filter(assigned_to=anna).count() == 2


def test_bulk_assign_offers_only_people_who_can_take_every_selected_callback(
    as_user, ada, anna, ben, nora, mitte, nord, haircut
):
    ben.max_open_callbacks = 2
    ben.save()
    AssignedCallbackFactory(branch=mitte, assigned_to=ben)  # Ben has room for one more, not two
    at_mitte = [CallbackRequestFactory(branch=mitte, service=haircut) for _ in range(2)]
    client = as_user(ada)

    def offered(selected) -> set[str]:
        page = client.post(changelist_url(), {"action": "bulk_assign", **select(selected)})
        return {staff.name for staff in page.context["form"].fields["staff"].queryset}

    assert offered(at_mitte) == {"Anna"}
    assert offered([at_mitte[0], CallbackRequestFactory(branch=nord)]) == set()  # nobody works at both


def test_bulk_complete_reports_what_was_not_possible(as_user, max_manager, anna, mitte):
    contacted = AssignedCallbackFactory(branch=mitte, assigned_to=anna, status=Status.CONTACTED)
    pending = CallbackRequestFactory(branch=mitte)

    response = as_user(max_manager).post(
        changelist_url(),
        {"action": "bulk_complete", "apply": "1", "note": "erledigt", **select([contacted, pending])},
        follow=True,
    )

    assert reloaded(contacted).status == Status.COMPLETED
    assert reloaded(pending).status == Status.PENDING
    assert any(f"#{pending.pk}" in str(message) for message in response.context["messages"])


def test_bulk_change_priority_moves_each_deadline(as_user, max_manager, mitte):
    rows = [CallbackRequestFactory(branch=mitte) for _ in range(2)]

    action = {"action": "bulk_change_priority", "apply": "1", "priority": "urgent"}
    as_user(max_manager).post(changelist_url(), {**action, **select(rows)})

    for row in rows:
        assert (reloaded(row).priority, reloaded(row).expires_at < row.expires_at) == ("urgent", True)


def test_bulk_soft_delete_and_restore(as_user, max_manager, mitte):
    rows = [CallbackRequestFactory(branch=mitte) for _ in range(2)]
    client = as_user(max_manager)

    client.post(changelist_url(), {"action": "bulk_soft_delete", **select(rows)})
    assert CallbackRequest.objects.filter(pk__in=[r.pk for r in rows]).count() == 0
    client.post(changelist_url() + "?trash=yes", {"action": "bulk_restore", **select(rows)})
    assert CallbackRequest.objects.filter(pk__in=[r.pk for r in rows]).count() == 2


def test_create_a_callback_by_hand(as_user, anna, mitte):
    response = as_user(anna).post(
        "/admin/callbacks/callbackrequest/add/",
        {"phone": "030 1234567", "customer_name": "Neu Kunde", "branch": mitte.pk, "priority": ""},
    )

    created = CallbackRequest.objects.get(customer_name="Neu Kunde")
    assert response.status_code == 302
    assert str(created.phone) == "+49301234567"
    assert created.expires_at is not None


def test_create_with_a_bad_phone_number_names_the_field(as_user, anna, mitte):
    response = as_user(anna).post(
        "/admin/callbacks/callbackrequest/add/", {"phone": "abc", "branch": mitte.pk}
    )

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not CallbackRequest.objects.exists()


@pytest.mark.parametrize("outcome", ["no_answer", "voicemail"])
def test_failed_attempts_keep_the_callback_assigned(as_user, anna, callbacks, outcome):
    callback = callbacks["anna_own"]

    as_user(anna).post(action_url(callback, "attempt"), {"outcome": outcome})

    assert reloaded(callback).status == Status.ASSIGNED
    assert reloaded(callback).contact_attempts_count == 1


def test_call_later_moves_the_deadline_in_branch_time(as_user, anna, callbacks):
    callback = callbacks["anna_own"]
    tomorrow = timezone.localdate() + timedelta(days=1)

    as_user(anna).post(
        action_url(callback, "attempt"),
        {"outcome": "asked_to_call_later", "call_back_at_0": tomorrow.isoformat(), "call_back_at_1": "11:30"},
    )

    deadline = timezone.localtime(reloaded(callback).expires_at, callback.branch.tzinfo)
    assert (deadline.date(), deadline.hour, deadline.minute) == (tomorrow, 11, 30)


def test_create_page_offers_the_users_branches(as_user, anna, mitte, nord):
    response = as_user(anna).get("/admin/callbacks/callbackrequest/add/")

    assert response.status_code == 200
    assert list(response.context["form"].fields["branch"].queryset) == [mitte]


def test_create_with_a_service_the_branch_does_not_offer_names_the_service(as_user, anna, mitte, nord):
    from tests.factories.org import ServiceFactory

    colouring = ServiceFactory(name="Färben", branches=[nord])

    response = as_user(anna).post(
        "/admin/callbacks/callbackrequest/add/",
        {"phone": "030 1234567", "branch": mitte.pk, "service": colouring.pk},
    )

    assert response.status_code == 200
    assert "service" in response.context["form"].errors
    assert not CallbackRequest.objects.exists()


def test_every_action_is_logged_for_the_admin_history(as_user, max_manager, anna, callbacks):
    from django.contrib.admin.models import LogEntry

    callback = callbacks["mitte_open"]
    as_user(max_manager).post(action_url(callback, "assign"), {"staff": anna.pk})

    entry = LogEntry.objects.get(object_id=str(callback.pk))
    assert entry.user == max_manager.user
    assert "Anna" in entry.get_change_message()


def test_audit_history_shows_old_and_new_values(as_user, max_manager, anna, callbacks):
    callback = callbacks["mitte_open"]
    client = as_user(max_manager)
    client.post(action_url(callback, "assign"), {"staff": anna.pk})

    audit = client.get(change_url(callback)).context["audit"]

    changes = {
        change["field"]: (change["old"], change["new"]) for entry in audit for change in entry["changes"]
    }
    assert changes["Status"] == ("Offen", "Zugewiesen")
    assert changes["Zugewiesen an"] == ("—", "Anna")


def test_detail_page_shows_the_linked_call_and_appointment(as_user, max_manager, callbacks, haircut, mitte):
    from datetime import timedelta

    from django.utils import timezone

    from appointments.models import Appointment
    from calls.models import Call
    from tests.factories.org import CustomerFactory

    callback = callbacks["mitte_open"]
    callback.call = Call.objects.create(
        retell_call_id="call_detail_1",
        summary="Kundin möchte einen Termin verschieben",
        transcript="Agent: Hallo\nKundin: Ich möchte verschieben",
        recording_url="https://recordings.example.test/call_detail_1.wav",
    )
    starts = timezone.now() + timedelta(days=2)
    callback.appointment = Appointment.objects.create(
        customer=CustomerFactory(),
        service=haircut,
        branch=mitte,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
    )
    callback.save()

    html = as_user(max_manager).get(change_url(callback)).content.decode()

    assert "Kundin möchte einen Termin verschieben" in html
    assert 'href="https://recordings.example.test/call_detail_1.wav"' in html
    assert "Ich möchte verschieben" in html
    assert "Haircut" in html


def test_timeline_reads_in_german(as_user, max_manager, anna, mitte):
    from callbacks import services

    callback = services.callback_create(
        branch_id=mitte.pk, phone="+49301230000", customer_name="Zeitleiste", priority="high"
    ).callback
    client = as_user(max_manager)
    client.post(action_url(callback, "assign"), {"staff": anna.pk})
    client.post(action_url(callback, "attempt"), {"outcome": "no_answer", "note": "Mailbox voll"})
    client.post(action_url(callback, "cancel"), {"reason": "Kunde hat sich erledigt"})

    texts = [entry["text"] for entry in client.get(change_url(callback)).context["timeline"]]

    assert texts[0].startswith("Priorität Hoch, fällig ")
    assert texts[1].startswith("Zugewiesen an Anna")
    assert texts[2] == "Keine Antwort (Mailbox voll)"
    assert texts[3] == "Kunde hat sich erledigt"


def test_create_a_callback_for_a_customer_reachable_only_by_email(as_user, anna, mitte):
    response = as_user(anna).post(
        "/admin/callbacks/callbackrequest/add/",
        {"customer_email": "nur.mail@example.test", "customer_name": "Nur Mail", "branch": mitte.pk},
    )

    created = CallbackRequest.objects.get(customer_name="Nur Mail")
    assert response.status_code == 302
    assert created.customer_email == "nur.mail@example.test" and not created.phone


def test_create_without_any_way_to_reach_the_customer_names_the_phone(as_user, anna, mitte):
    response = as_user(anna).post("/admin/callbacks/callbackrequest/add/", {"branch": mitte.pk})

    assert "phone" in response.context["form"].errors
    assert not CallbackRequest.objects.exists()
