"""Every registered admin URL and custom view, walked as staff, manager and admin of Mitte against one object
of every model at another branch (the rules: `org.access`).

Staff (Anna) and the manager (Max) must never see that branch's objects (no identifying text, no link to
them) and no GET or POST of theirs may change them; nobody, the admin (Ada) included, may get a 500.
A model registered later is walked too: its list and add pages always, its object pages once `MAKERS`
names how to make one at the other branch.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from org.roles import Role
from tests.admin.walk import admin_urls, custom_views, objects_at
from tests.factories.org import BranchFactory
from tests.personas import acme_person

SECRET = "Wedding"  # in every name and text of the other branch's objects
NORA = "nora@acme.test"
POSTED = {
    "post": "yes",
    "confirm": "1",
    "reason": "x",
    "outcome": "reached",
    "day": "2026-03-10",
    "time": "10:00",
}


@pytest.fixture
def nord(company):
    return BranchFactory(name=f"Filiale {SECRET}", hours=[])


@pytest.fixture
def nora(nord):
    return acme_person("Nora", Role.STAFF, nord, phone="+4930999002")


@pytest.fixture
def other_branch(nord, nora) -> dict[str, object]:
    """One object of every branch-bound model at Nord, keyed by model label."""
    return objects_at(nord, nora, SECRET)


def _snapshot(objects: dict[str, object]) -> dict:
    """Every row of the other branch as stored, and how many rows each registered model has."""
    rows = {
        label: type(obj)._base_manager.filter(pk=obj.pk).values().first() for label, obj in objects.items()
    }
    counts = {model._meta.label: model._base_manager.count() for model in admin.site._registry}
    return {"rows": rows, "counts": counts}


def _leaks(response, links: set[str], path: str) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content  # CSV exports
    body = content.decode(errors="replace")
    body += response.get("Location", "")
    found = [text for text in (SECRET, NORA) if text in body]
    found += [link for link in links if link in body and link != path]
    return found


def _walk(client, objects, *, post: bool) -> list[str]:
    """GET (and POST) every URL; the problems found, one line each."""
    links = {
        reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        for label, obj in objects.items()
        if type(obj) in admin.site._registry
    }
    problems = []
    targets = []
    for model, model_admin in admin.site._registry.items():
        obj = objects.get(model._meta.label)
        targets += admin_urls(model_admin, obj)
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        targets.append(f"{changelist}?q={SECRET[1:-1]}")  # a search that finds it, not echoing SECRET
        targets.append(f"{changelist}?branch={objects['org.Branch'].pk}")
    for url in sorted(set(targets + custom_views(objects))):
        methods = ("get", "post") if post else ("get",)
        for method in methods:
            try:
                response = getattr(client, method)(url, POSTED if method == "post" else None)
            except Exception as error:  # noqa: BLE001 - every failure is a finding
                problems.append(f"{method.upper()} {url}: {type(error).__name__}: {error}")
                continue
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url}: {response.status_code}")
            elif leaked := _leaks(response, links, url):
                problems.append(f"{method.upper()} {url}: shows {leaked}")
    return problems


def _post_actions(client, objects) -> list[str]:
    """Each changelist action on the other branch's object of that model."""
    problems = []
    for model, model_admin in admin.site._registry.items():
        obj = objects.get(model._meta.label)
        if obj is None:
            continue
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for _func, name, _description in model_admin._get_base_actions():
            data = {**POSTED, "action": name, "_selected_action": [str(obj.pk)], "index": "0"}
            try:
                response = client.post(changelist, data)
            except Exception as error:  # noqa: BLE001
                problems.append(f"action {name} on {model._meta.label}: {type(error).__name__}: {error}")
                continue
            if response.status_code >= 500:
                problems.append(f"action {name} on {model._meta.label}: {response.status_code}")
    return problems


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_staff_and_managers_of_mitte_never_see_or_change_another_branch(request, as_user, other_branch, role):
    client = as_user(request.getfixturevalue(role))
    before = _snapshot(other_branch)

    problems = _walk(client, other_branch, post=True) + _post_actions(client, other_branch)

    assert problems == [], "\n".join(problems)
    assert _snapshot(other_branch) == before


def test_the_admin_walks_every_screen_without_an_error(as_user, ada, other_branch):
    problems = _walk(as_user(ada), other_branch, post=False)

    assert [p for p in problems if "shows" not in p] == []


def test_the_walk_finds_the_other_branch_where_it_is_visible(as_user, ada, other_branch):
    """The walk's detector works: the admin sees the other branch's callback, call and customer."""
    client = as_user(ada)
    for label in ("callbacks.CallbackRequest", "calls.Call", "org.Customer", "appointments.Appointment"):
        obj = other_branch[label]
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        assert SECRET in client.get(url).content.decode(), label


def test_every_branch_bound_model_has_an_object_at_the_other_branch(other_branch):
    """A model with a branch (directly or through a callback/appointment/call) must be in the walk."""
    bound = {
        model._meta.label
        for model in admin.site._registry
        if {"branch", "branches", "callback", "appointment", "call"}
        & {f.name for f in model._meta.get_fields()}
    }
    unwalked = bound - set(other_branch) - SCOPED_ELSEWHERE
    assert unwalked == set()


# Branch-bound models whose screens are for admins only (company configuration and records), so staff and
# managers meet them only as a refusal; the walk still requests their list and add pages.
BRANCH_BOUND = {"branch", "branches", "callback", "appointment", "call"}
SCOPED_ELSEWHERE = {
    "appointments.EventTypeMapping",
    "appointments.UnmappedBooking",
    "notifications.NotificationConfiguration",
    "notifications.InAppNotification",
    "tenants.Company",
}
