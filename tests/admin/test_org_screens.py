"""Organisation screens: branches with hours and closures, staff logins with their role, lists per role."""

import pytest
from django.contrib.auth.models import User

from org.models import Staff
from tests.factories.org import CustomerFactory


def test_branch_page_edits_opening_hours_as_a_week_and_closures_inline(as_user, ada, mitte):
    response = as_user(ada).get(f"/admin/org/branch/{mitte.pk}/change/")

    assert response.status_code == 200
    names = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert names == {"closures"}
    assert {f"hours_{day}" for day in range(7)} <= set(response.context["adminform"].form.fields)


def test_admin_adds_opening_hours_to_a_branch(as_user, ada, mitte):
    data = {
        "name": "Mitte",
        "timezone": "Europe/Berlin",
        "is_active": "on",
        "hours_0": "09:00–08:00",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }

    refused = as_user(ada).post(f"/admin/org/branch/{mitte.pk}/change/", data)
    data["hours_0"] = "09:00–18:00"
    saved = as_user(ada).post(f"/admin/org/branch/{mitte.pk}/change/", data)

    assert refused.status_code == 200  # closing before opening: shown on the form, nothing saved
    assert saved.status_code == 302
    assert [(h.weekday, h.opens.hour, h.closes.hour) for h in mitte.opening_hours.all()] == [(0, 9, 18)]


def test_admin_creates_a_staff_login_with_its_role(as_user, ada, mitte):
    response = as_user(ada).post(
        "/admin/org/staff/add/",
        {
            "name": "Nina Neu",
            "email": "nina@acme.test",
            "role": "manager",
            "branches": [mitte.pk],
            "is_active": "on",
            "accepts_callbacks": "on",
            "max_open_callbacks": "8",
            "language": "en",
            "password": "sicher-genug-123",
        },
    )

    assert response.status_code == 302
    nina = Staff.objects.get(email="nina@acme.test")
    assert list(nina.branches.all()) == [mitte]
    assert list(nina.user.groups.values_list("name", flat=True)) == ["manager"]
    assert User.objects.get(username="nina@acme.test").check_password("sicher-genug-123")


def test_changing_a_role_moves_the_login_to_the_new_group(as_user, ada, anna, mitte, haircut):
    response = as_user(ada).post(
        f"/admin/org/staff/{anna.pk}/change/",
        {
            "name": "Anna",
            "email": anna.email,
            "role": "manager",
            "branches": [mitte.pk],
            "services": [haircut.pk],
            "is_active": "on",
            "accepts_callbacks": "on",
            "max_open_callbacks": "10",
            "language": "de",
        },
    )

    assert response.status_code == 302
    assert list(anna.user.groups.values_list("name", flat=True)) == ["manager"]


@pytest.mark.parametrize("url", ["/admin/org/customer/", "/admin/calls/call/", "/admin/org/branch/"])
@pytest.mark.parametrize("role", ["anna", "max_manager", "ada"])
def test_every_role_can_read_customers_calls_and_branches(as_user, request, url, role):
    CustomerFactory()

    assert as_user(request.getfixturevalue(role)).get(url).status_code == 200


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_only_admins_change_branches(as_user, request, mitte, role):
    response = as_user(request.getfixturevalue(role)).post(
        f"/admin/org/branch/{mitte.pk}/change/", {"name": "Umbenannt", "timezone": "Europe/Berlin"}
    )

    assert response.status_code == 403
    mitte.refresh_from_db()
    assert mitte.name == "Mitte"


def test_staff_list_shows_each_persons_load(as_user, max_manager, anna, callbacks):
    response = as_user(max_manager).get("/admin/org/staff/")

    loads = {staff.name: staff.open_load for staff in response.context["cl"].result_list}
    assert loads["Anna"] == 2
    assert "2 / 10" in response.content.decode()
