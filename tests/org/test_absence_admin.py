"""Absences entered in the admin over HTTP: managers for their branches' people, admins for anyone, staff for
themselves only; one that covers today hands the person's open callbacks on at once.

The admin speaks the user's language (German here), and so do the reasons written during the request.
Anna works at Mitte (staff), Max manages Mitte, Ada is the admin; Olga works at another branch, Nord.
The clock stands on Wednesday 4 March 2026.
"""

import re
from datetime import date

import pytest
from django.test import override_settings

from callbacks.models import CallbackRequest
from common.messages import render_message
from org.models import Absence
from org.roles import Role
from tests.admin.catalogue import compile_catalogue
from tests.api.test_german_admin import visible_text
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import AbsenceFactory, BranchFactory
from tests.personas import WEDNESDAY_10, acme_person

URL = "/admin/org/absence/"


@pytest.fixture
def olga(company):
    return acme_person("Olga", Role.STAFF, BranchFactory(name="Nord"))


def entry(staff, starts_on="2026-03-10", ends_on="2026-03-12", kind="holiday") -> dict:
    return {"staff": staff.pk, "kind": kind, "starts_on": starts_on, "ends_on": ends_on, "note": ""}


def test_a_manager_enters_an_absence_for_someone_at_their_branch(as_user, max_manager, anna, clock):
    response = as_user(max_manager).post(f"{URL}add/", entry(anna))
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.staff, absence.starts_on, absence.ends_on) == (anna, date(2026, 3, 10), date(2026, 3, 12))
    assert absence.history.get().history_user == max_manager.user  # the audit trail names who entered it


def test_a_manager_cannot_enter_one_for_another_branchs_people(as_user, max_manager, olga, clock):
    response = as_user(max_manager).post(f"{URL}add/", entry(olga))
    assert response.status_code == 200  # refused on the form
    assert not Absence.objects.exists()


def test_staff_enter_their_own_absence(as_user, anna, clock):
    response = as_user(anna).post(f"{URL}add/", entry(anna, kind="sick"))
    assert response.status_code == 302
    assert Absence.objects.get().kind == Absence.Kind.SICK


def test_the_form_offers_staff_themselves_and_managers_their_branchs_people(
    as_user, anna, max_manager, olga, clock
):
    def offered(user) -> set:
        form = as_user(user).get(f"{URL}add/").context["adminform"].form
        return set(form.fields["staff"].queryset)

    assert offered(anna) == {anna}
    assert offered(max_manager) == {anna, max_manager}


def test_staff_cannot_enter_one_for_a_colleague(as_user, anna, max_manager, clock):
    response = as_user(anna).post(f"{URL}add/", entry(max_manager))
    assert response.status_code == 200
    assert not Absence.objects.exists()


def test_staff_see_and_change_only_their_own(as_user, anna, max_manager, clock):
    own = AbsenceFactory(staff=anna, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 12))
    colleague = AbsenceFactory(staff=max_manager, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 12))
    client = as_user(anna)
    listed = client.get(URL)
    assert list(listed.context["cl"].result_list) == [own]
    assert client.get(f"{URL}{colleague.pk}/change/").status_code in (302, 403, 404)
    refused = client.post(f"{URL}{colleague.pk}/change/", entry(max_manager, ends_on="2026-03-20"))
    assert refused.status_code in (302, 403, 404)
    colleague.refresh_from_db()
    assert colleague.ends_on == date(2026, 3, 12)


def test_a_manager_lists_only_their_branchs_absences(as_user, max_manager, anna, olga, clock):
    at_mitte = AbsenceFactory(staff=anna, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 12))
    at_nord = AbsenceFactory(staff=olga, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 12))
    client = as_user(max_manager)
    assert list(client.get(URL).context["cl"].result_list) == [at_mitte]
    assert client.get(f"{URL}{at_nord.pk}/change/").status_code in (302, 403, 404)


def test_an_admin_enters_one_for_anyone(as_user, ada, olga, clock):
    assert as_user(ada).post(f"{URL}add/", entry(olga)).status_code == 302
    assert Absence.objects.get().staff == olga


def test_an_absence_cannot_end_before_it_starts(as_user, anna, clock):
    response = as_user(anna).post(f"{URL}add/", entry(anna, starts_on="2026-03-12", ends_on="2026-03-10"))
    assert response.status_code == 200
    assert not Absence.objects.exists()


def test_sick_today_hands_the_open_callbacks_on_at_once(
    as_user, max_manager, anna, mitte, haircut, clock, django_capture_on_commit_callbacks
):
    ben = acme_person("Ben", Role.STAFF, mitte, services=[haircut])
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(max_manager).post(
            f"{URL}add/", entry(anna, starts_on="2026-03-04", ends_on="2026-03-06", kind="sick")
        )
    assert response.status_code == 302
    callback.refresh_from_db()
    assert (callback.assigned_to, callback.status) == (ben, CallbackRequest.Status.ASSIGNED)
    assert render_message(callback.assignment_reason, "de").startswith(
        "Zurück in den Pool: Anna ist abwesend (Krank) bis 06.03.;"
    )
    assert Absence.objects.get().released_at == WEDNESDAY_10


def test_deactivating_someone_in_the_staff_admin_returns_their_callbacks(
    as_user, ada, anna, mitte, haircut, clock, django_capture_on_commit_callbacks
):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    form = {
        "name": "Anna",
        "email": anna.email,
        "role": "staff",
        "branches": [mitte.pk],
        "services": [haircut.pk],
        "accepts_callbacks": "on",
        "max_open_callbacks": "10",
        "language": "de",
    }  # "is_active" left out: unticked
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(ada).post(f"/admin/org/staff/{anna.pk}/change/", form)
    assert response.status_code == 302
    callback.refresh_from_db()
    assert (callback.assigned_to, callback.status) == (None, CallbackRequest.Status.PENDING)
    assert render_message(callback.unassignable_reason, "de").startswith(
        "Zurück in den Pool: Anna ist nicht mehr aktiv;"
    )


def test_the_sidebar_links_absences_for_everyone_with_a_role(as_user, anna, clock):
    assert URL in as_user(anna).get("/admin/").content.decode()


ENGLISH = ["Absence", "Absences", "absence", "Holiday", "Sick", "Training", "Kind", "From", "Until", "Note"]
ENGLISH += ["Callbacks released", "Staff member", "When this person"]


@pytest.mark.parametrize("page", ["", "add/", "{pk}/change/", "{pk}/history/"])
def test_the_absence_screens_speak_german(as_user, anna, clock, tmp_path, page):
    absence = AbsenceFactory(staff=anna, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 12))
    with override_settings(LOCALE_PATHS=[compile_catalogue(tmp_path)]):
        response = as_user(anna).get(URL + page.format(pk=absence.pk))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Urlaub" in text or page == "add/"
    assert not [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
