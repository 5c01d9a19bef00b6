"""Callbacks through the API: the same services as every other door (clock: Wednesday 10:00 in Berlin)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import CallbackEscalation, CallbackRequest
from org.roles import Role
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.personas import acme_person

JSON = "application/json"


@pytest.fixture(autouse=True)
def _stopped_clock(clock):
    return clock


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type=JSON)


def test_a_new_request_is_created_through_the_service(api, mitte):
    response = post(api, "/api/v1/callbacks/", {"branch": mitte.pk, "phone": "+491711234567", "notes": "x"})

    assert response.status_code == 201
    assert response.json()["created"] is True
    callback = CallbackRequest.objects.get()
    assert callback.source == CallbackRequest.Source.API
    assert response.json()["callback"]["expires_at"] is not None


def test_a_second_request_from_the_same_number_reuses_the_open_one(api, mitte):
    first = post(api, "/api/v1/callbacks/", {"branch": mitte.pk, "phone": "+491711234567"})

    second = post(api, "/api/v1/callbacks/", {"branch": mitte.pk, "phone": "+491711234567"})

    assert second.status_code == 200
    assert second.json()["created"] is False
    assert second.json()["callback"]["id"] == first.json()["callback"]["id"]


def test_the_services_refusal_names_the_field(api, mitte):
    response = post(api, "/api/v1/callbacks/", {"branch": 999999, "phone": "+491711234567"})

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["branch"]


def test_the_list_filters_by_status_and_priority(api, mitte):
    wanted = CallbackRequestFactory(branch=mitte, priority="urgent")
    CallbackRequestFactory(branch=mitte, priority="normal")
    CallbackRequestFactory(branch=mitte, priority="urgent", status="completed")

    response = api.get("/api/v1/callbacks/", {"status": "pending", "priority": "urgent"})

    assert [c["id"] for c in response.json()["results"]] == [wanted.pk]


def test_the_list_filters_overdue_and_assignee(api, mitte, anna):
    late = AssignedCallbackFactory(
        branch=mitte, assigned_to=anna, expires_at=timezone.now() - timedelta(minutes=1)
    )
    AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    CallbackRequestFactory(branch=mitte, expires_at=timezone.now() - timedelta(minutes=1))

    response = api.get("/api/v1/callbacks/", {"overdue": "true", "assignee": anna.pk})

    assert [c["id"] for c in response.json()["results"]] == [late.pk]


def test_a_bad_filter_is_a_400_not_a_500(api, company):
    response = api.get("/api/v1/callbacks/", {"status": "lost", "created_after": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["details"]) == {"status", "created_after"}


def test_the_list_pages_with_a_cursor(api, mitte, monkeypatch):
    monkeypatch.setattr("api.views.base.NewestFirst.page_size", 2)
    made = [CallbackRequestFactory(branch=mitte) for _ in range(3)]

    first = api.get("/api/v1/callbacks/").json()
    second = api.get(first["next"]).json()

    ids = [c["id"] for c in first["results"] + second["results"]]
    assert sorted(ids) == sorted(c.pk for c in made)
    assert second["next"] is None


def test_assign_to_a_person_and_take(api, mitte, haircut, anna):
    ben = acme_person("Ben", Role.STAFF, mitte, services=[haircut])
    callback = CallbackRequestFactory(branch=mitte)

    assigned = post(api, f"/api/v1/callbacks/{callback.pk}/assign/", {"staff": anna.pk})
    taken = post(api, f"/api/v1/callbacks/{callback.pk}/take/", {"staff": ben.pk})

    assert assigned.json()["assigned_to"] == anna.pk
    assert taken.json()["assigned_to"] == ben.pk
    assert taken.json()["status"] == "assigned"


def test_assign_without_a_person_picks_one(api, mitte, anna):
    callback = CallbackRequestFactory(branch=mitte)

    response = post(api, f"/api/v1/callbacks/{callback.pk}/assign/")

    assert response.status_code == 200
    assert response.json()["assigned_to"] == anna.pk


def test_contact_attempt_then_complete(api, mitte, anna):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)

    attempt = post(api, f"/api/v1/callbacks/{callback.pk}/contact-attempts/", {"outcome": "reached"})
    completed = post(api, f"/api/v1/callbacks/{callback.pk}/complete/", {"note": "booked"})

    assert attempt.status_code == 201
    assert completed.json()["status"] == "completed"


def test_a_refused_transition_names_both_statuses(api, mitte):
    callback = CallbackRequestFactory(branch=mitte, status="completed")

    response = post(api, f"/api/v1/callbacks/{callback.pk}/cancel/", {"reason": "x"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    assert "completed" in response.json()["message"]


def test_cancel_and_escalate(api, mitte, anna):
    open_one = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    to_cancel = CallbackRequestFactory(branch=mitte)

    escalated = post(api, f"/api/v1/callbacks/{open_one.pk}/escalate/", {"notes": "angry"})
    cancelled = post(api, f"/api/v1/callbacks/{to_cancel.pk}/cancel/", {"reason": "solved"})

    assert escalated.status_code == 201
    assert CallbackEscalation.objects.get().reason == CallbackEscalation.Reason.MANUAL
    assert cancelled.json()["status"] == "cancelled"


def test_a_read_only_key_cannot_change_a_callback(reader, mitte):
    callback = CallbackRequestFactory(branch=mitte)

    assert post(reader, f"/api/v1/callbacks/{callback.pk}/cancel/").status_code == 403
    assert reader.get(f"/api/v1/callbacks/{callback.pk}/").status_code == 200
