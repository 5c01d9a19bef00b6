"""Who may see and do what: every role against every list, detail page and action.

Anna is staff at Mitte, Max manages Mitte, Ada is the company admin, Nora works at Nord;
Eve is a manager of another company (Globex).
"""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from callbacks.models import CallbackRequest
from tests.admin.conftest import change_url, changelist_url
from tests.conftest import tenant_host

ALL = {"anna_own", "ben_own", "mitte_open", "nord_open", "nord_nora", "overdue"}
SEES = {
    "anna": {"anna_own", "mitte_open", "overdue"},
    "max_manager": {"anna_own", "ben_own", "mitte_open", "overdue"},
    "ada": ALL,
}
# The row actions whose form opens (GET) for a visible callback in its current state, per callback.
ACTIONS = ["assign", "auto-assign", "attempt", "complete", "escalate", "cancel", "delete", "restore"]


@pytest.fixture
def people(anna, max_manager, ada):
    return {"anna": anna, "max_manager": max_manager, "ada": ada}


@pytest.mark.parametrize("role", ["anna", "max_manager", "ada"])
def test_list_shows_exactly_the_callbacks_the_role_may_see(as_user, people, callbacks, role):
    response = as_user(people[role]).get(changelist_url())

    listed = {obj.pk for obj in response.context["cl"].result_list}
    assert listed == {callbacks[key].pk for key in SEES[role]}


@pytest.mark.parametrize("role", ["anna", "max_manager", "ada"])
@pytest.mark.parametrize("key", sorted(ALL))
def test_detail_page_is_open_only_for_visible_callbacks(as_user, people, callbacks, role, key):
    response = as_user(people[role]).get(change_url(callbacks[key]))

    assert response.status_code == (200 if key in SEES[role] else 403)


@pytest.mark.parametrize("role", ["anna", "max_manager", "ada"])
@pytest.mark.parametrize("key", sorted(ALL))
@pytest.mark.parametrize("name", ["assign", "attempt", "escalate", "cancel"])
def test_actions_on_invisible_callbacks_are_refused(as_user, people, callbacks, role, key, name):
    callback = callbacks[key]
    before = CallbackRequest.all_objects.filter(pk=callback.pk).values().get()

    response = as_user(people[role]).post(
        f"/admin/callbacks/callbackrequest/{callback.pk}/{name}/", {"reason": "x", "outcome": "reached"}
    )

    if key in SEES[role]:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
        assert CallbackRequest.all_objects.filter(pk=callback.pk).values().get() == before


@pytest.mark.parametrize("name", ["delete", "restore"])
def test_staff_may_not_trash_or_restore(as_user, anna, callbacks, name):
    response = as_user(anna).post(f"/admin/callbacks/callbackrequest/{callbacks['mitte_open'].pk}/{name}/")

    assert response.status_code == 403
    assert CallbackRequest.all_objects.get(pk=callbacks["mitte_open"].pk).deleted_at is None


def test_staff_gets_no_bulk_actions_and_cannot_post_one(as_user, anna, callbacks):
    client = as_user(anna)
    page = client.get(changelist_url())

    client.post(
        changelist_url(),
        {"action": "bulk_soft_delete", "_selected_action": [str(callbacks["mitte_open"].pk)]},
    )

    assert page.context["action_form"] is None  # no bulk action offered at all
    assert CallbackRequest.objects.filter(pk=callbacks["mitte_open"].pk).exists()


def test_staff_row_actions_leave_out_trash_and_restore(as_user, anna, max_manager, callbacks):
    staff_actions = {a["raw_path"] for a in as_user(anna).get(changelist_url()).context["actions_row"]}
    manager_actions = {
        a["raw_path"] for a in as_user(max_manager).get(changelist_url()).context["actions_row"]
    }

    assert not any(path.endswith("_row_restore") for path in staff_actions)
    assert any(path.endswith("_row_restore") for path in manager_actions)


def test_bulk_is_refused_for_a_manager_outside_their_branch(as_user, max_manager, callbacks):
    target = callbacks["nord_open"]

    as_user(max_manager).post(
        changelist_url(), {"action": "bulk_soft_delete", "_selected_action": [str(target.pk)]}
    )

    assert CallbackRequest.objects.filter(pk=target.pk).exists()


CONFIG_URLS = [
    "/admin/org/branch/add/",
    "/admin/org/staff/add/",
    "/admin/org/service/add/",
]


@pytest.mark.parametrize("url", CONFIG_URLS)
@pytest.mark.parametrize(("role", "allowed"), [("anna", False), ("max_manager", False), ("ada", True)])
def test_configuration_screens_are_for_admins(as_user, people, url, role, allowed):
    response = as_user(people[role]).get(url)

    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(("role", "allowed"), [("anna", False), ("max_manager", True), ("ada", True)])
def test_escalations_list_is_for_managers(as_user, people, callbacks, role, allowed):
    response = as_user(people[role]).get("/admin/callbacks/callbackescalation/")

    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("url_key", ["list", "detail", "live", "dashboard"])
def test_eve_from_another_company_gets_nothing(company, other_company, eve, callbacks, url_key):
    urls = {
        "list": changelist_url(),
        "detail": change_url(callbacks["mitte_open"]),
        "live": "/admin/callbacks/callbackrequest/live/",
        "dashboard": "/admin/",
    }
    client = Client(HTTP_HOST=tenant_host(other_company.schema_name))
    with tenant_context(other_company):
        client.force_login(eve.user)
    own = client.get("/admin/")

    response = client.get(urls[url_key], HTTP_HOST=tenant_host(company.schema_name))

    assert own.status_code == 200  # her session is good on her own company's host...
    assert response.status_code == 302  # ...and worth nothing on Acme's: off to the login page
    assert "/admin/login/" in response["Location"]


def test_a_user_without_a_staff_profile_sees_no_callbacks(company, callbacks):
    from tests.factories.org import UserFactory

    client = Client(HTTP_HOST=tenant_host(company.schema_name))
    client.force_login(UserFactory(username="nobody@acme.test"))

    assert client.get(changelist_url()).status_code == 403
    assert client.get(change_url(callbacks["mitte_open"])).status_code == 403
