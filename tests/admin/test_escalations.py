"""Escalations: the detail page opens for each role allowed to see it; acknowledge, resolve with a note."""

import pytest

from callbacks import services
from callbacks.models import CallbackEscalation


def detail_url(escalation: CallbackEscalation) -> str:
    return f"/admin/callbacks/callbackescalation/{escalation.pk}/change/"


@pytest.fixture
def escalation(max_manager, callbacks) -> CallbackEscalation:
    return services.callback_escalate(callback=callbacks["anna_own"], reason="manual", by=max_manager.user)


@pytest.mark.parametrize("who", ["max_manager", "ada"])
def test_the_detail_page_opens_for_managers_and_admins(who, request, as_user, escalation):
    client = as_user(request.getfixturevalue(who))

    assert client.get(detail_url(escalation)).status_code == 200
    assert client.get(detail_url(escalation).replace("change/", "history/")).status_code == 200
    assert client.get("/admin/callbacks/callbackescalation/").status_code == 200


def test_staff_do_not_see_escalations(as_user, anna, escalation):
    assert as_user(anna).get(detail_url(escalation)).status_code in (302, 403)


def test_staff_cannot_acknowledge(as_user, anna, escalation):
    response = as_user(anna).post(detail_url(escalation).replace("change/", "acknowledge/"))

    assert response.status_code in (302, 403, 404)
    escalation.refresh_from_db()
    assert "acknowledged_at" not in escalation.metadata


def test_a_manager_acknowledges_then_resolves_with_a_note(as_user, max_manager, escalation):
    client = as_user(max_manager)
    base = detail_url(escalation).replace("change/", "")

    assert client.get(base + "acknowledge/").status_code == 200  # a confirmation, nothing changed yet
    escalation.refresh_from_db()
    assert "acknowledged_at" not in escalation.metadata
    assert client.post(base + "acknowledge/").status_code == 302
    escalation.refresh_from_db()
    assert escalation.metadata["acknowledged_by"] == "Max"
    assert escalation.resolved_at is None

    refused = client.post(base + "resolve/", {"note": "  "})
    assert refused.status_code == 200 and "note" in refused.context["form"].errors
    assert client.post(base + "resolve/", {"note": "Kundin zurückgerufen"}).status_code == 302

    escalation.refresh_from_db()
    assert escalation.resolved_at is not None
    assert escalation.metadata["resolution_note"] == "Kundin zurückgerufen"
    page = client.get(detail_url(escalation)).content.decode()
    assert "Kundin zurückgerufen" in page


def test_a_resolved_escalation_leaves_the_open_count(max_manager, escalation):
    from callbacks import dashboard
    from callbacks.services.escalation_review import escalation_resolve

    assert dashboard.compute_tiles(max_manager.user)["escalations_open"] == 1
    escalation_resolve(escalation=escalation, by=max_manager.user, note="erledigt")

    assert dashboard.compute_tiles(max_manager.user)["escalations_open"] == 0


def test_a_manager_of_another_branch_cannot_open_it(as_user, nora, escalation, nord):
    from org.roles import Role
    from tests.personas import acme_person

    other_manager = acme_person("Otto", Role.MANAGER, nord)

    assert as_user(other_manager).get(detail_url(escalation)).status_code in (302, 404)
    assert (
        as_user(other_manager)
        .post(detail_url(escalation).replace("change/", "resolve/"), {"note": "x"})
        .status_code
        == 404
    )


def test_the_dashboard_links_each_open_escalation_to_its_page(as_user, max_manager, escalation):
    html = as_user(max_manager).get("/admin/").content.decode()

    assert f'href="{detail_url(escalation)}" data-testid="escalation-review"' in html


def test_the_acknowledgement_time_is_the_companys_local_time(as_user, max_manager, escalation):
    """Acknowledged at 05:54 UTC in winter reads 06:54 in Berlin, like every other time on the page."""
    escalation.metadata.update(acknowledged_by="Max", acknowledged_at="2026-01-15T05:54:00+00:00")
    escalation.save(update_fields=["metadata"])

    page = as_user(max_manager).get("/admin/callbacks/callbackescalation/").content.decode()

    assert "Max, 15.01.2026 06:54" in page
