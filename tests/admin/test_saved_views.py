"""Personal saved views on the callback, appointment and call lists: "Ansicht speichern" keeps the list's
own filters under a name for the person saving, shows it as a link above the list, and deletes it; nobody
else (another person, another company) sees it, and a saved view can only ever reopen its own list."""

import pytest
from django_tenants.utils import tenant_context

from org.models import SavedView
from org.services import SAVED_VIEW_NOTHING_TO_SAVE
from tests.admin.conftest import changelist_url, login
from tests.factories.callbacks import CallbackRequestFactory

LISTS = {
    "callbacks.callbackrequest": ("/admin/callbacks/callbackrequest/", "status__exact=pending&q=Paula"),
    "appointments.appointment": ("/admin/appointments/appointment/", "status__exact=booked&o=-1"),
    "calls.call": ("/admin/calls/call/", "direction__exact=inbound&q=Klaus"),
}


def save_view(client, list_url: str, name: str, query: str):
    return client.post(f"{list_url}saved-views/", {"name": name, "query": query})


@pytest.mark.parametrize("which", LISTS)
def test_a_manager_saves_the_filtered_list_and_finds_it_above_the_list(as_user, ada, which):
    list_url, query = LISTS[which]
    client = as_user(ada)

    response = save_view(client, list_url, "Meine Auswahl", f"{query}&p=2")
    page = client.get(list_url).content.decode()

    assert response.status_code == 302 and response["Location"] == f"{list_url}?{query}"
    [view] = SavedView.objects.filter(user=ada.user)
    assert (view.name, view.list_name, view.query) == ("Meine Auswahl", which, query)
    assert f'href="?{query.replace("&", "&amp;")}"' in page and "Meine Auswahl" in page


def test_only_the_lists_own_parameters_are_kept(as_user, max_manager, mitte):
    client = as_user(max_manager)

    save_view(
        client, changelist_url(), "Offen", "?status__exact=pending&p=3&_changelist_filters=x&next=//evil.test"
    )

    assert SavedView.objects.get().query == "status__exact=pending"


@pytest.mark.parametrize(
    "foreign",
    ["https://evil.test/?status__exact=pending", "//evil.test", "/admin/auth/user/?is_superuser=1", ""],
)
def test_a_foreign_address_is_not_saved_and_the_answer_stays_on_the_list(
    as_user, max_manager, mitte, foreign
):
    response = save_view(as_user(max_manager), changelist_url(), "Weg", foreign)

    assert response.status_code == 302 and response["Location"] == changelist_url()
    assert not SavedView.objects.exists()


def test_saving_nothing_says_so(as_user, max_manager, mitte):
    client = as_user(max_manager)

    response = save_view(client, changelist_url(), "Leer", "p=2")

    assert str(SAVED_VIEW_NOTHING_TO_SAVE) in " ".join(m.message for m in response.wsgi_request._messages)


def test_saving_a_name_again_replaces_the_view(as_user, max_manager, mitte):
    client = as_user(max_manager)

    save_view(client, changelist_url(), "Offen", "status__exact=pending")
    save_view(client, changelist_url(), "Offen", "status__exact=assigned")

    assert list(SavedView.objects.values_list("name", "query")) == [("Offen", "status__exact=assigned")]


def test_a_saved_view_is_personal(company, as_user, max_manager, anna, mitte):
    CallbackRequestFactory(branch=mitte, customer_name="Paula Offen")
    save_view(as_user(max_manager), changelist_url(), "Max’ Ansicht", "status__exact=pending")
    view = SavedView.objects.get()
    annas = as_user(anna)

    page = annas.get(changelist_url()).content.decode()
    annas.post(f"{changelist_url()}saved-views/{view.pk}/delete/")

    assert "Paula Offen" in page and "Max’ Ansicht" not in page
    assert SavedView.objects.filter(pk=view.pk).exists()  # not hers to delete


def test_a_saved_view_stays_in_its_company(company, other_company, as_user, max_manager, eve, mitte):
    save_view(as_user(max_manager), changelist_url(), "Acme intern", "status__exact=pending")

    with tenant_context(other_company):
        page = login(other_company, eve.user).get(changelist_url()).content.decode()
        assert not SavedView.objects.exists()
    assert "Acme intern" not in page


def test_the_owner_deletes_a_view(as_user, max_manager, mitte):
    client = as_user(max_manager)
    save_view(client, changelist_url(), "Offen", "status__exact=pending")
    view = SavedView.objects.get()

    response = client.post(f"{changelist_url()}saved-views/{view.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == changelist_url()
    assert not SavedView.objects.exists()
    assert "Offen</a>" not in client.get(changelist_url()).content.decode()


def test_a_view_cannot_be_saved_or_deleted_with_a_get(as_user, max_manager, mitte):
    client = as_user(max_manager)

    assert client.get(f"{changelist_url()}saved-views/?name=x&query=status__exact=pending").status_code == 405
    assert not SavedView.objects.exists()
