"""Public holidays of a German state imported into a branch's closures ("Feiertage importieren")."""

from datetime import date

import pytest

from org.models import Closure
from org.services import closures_import_holidays
from tests.factories.org import ClosureFactory
from tests.org.german import _catalogue, german  # noqa: F401 (fixtures)


def closures(branch) -> list[tuple[date, str]]:
    return [(c.starts_on, c.reason) for c in Closure.objects.filter(branch=branch).order_by("starts_on")]


def test_berlin_2026_has_its_ten_holidays_in_german(mitte):
    created = closures_import_holidays(branch=mitte, state="BE", year=2026)

    assert len(created) == 10
    assert (date(2026, 3, 8), "Frauentag") in closures(mitte)
    assert (date(2026, 10, 3), "Tag der Deutschen Einheit") in closures(mitte)
    assert not any(day == date(2026, 1, 6) for day, _reason in closures(mitte))  # Bavaria's, not Berlin's


def test_importing_again_or_over_a_day_entered_by_hand_adds_nothing(mitte):
    ClosureFactory(
        branch=mitte, starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 27), reason="Weihnachten"
    )

    first = closures_import_holidays(branch=mitte, state="BY", year=2026)
    again = closures_import_holidays(branch=mitte, state="BY", year=2026)

    assert len(first) == 10  # 12 in Bavaria; Christmas Day and Boxing Day were already closed
    assert again == []
    assert len(closures(mitte)) == 11


@pytest.mark.usefixtures("german")
def test_the_branch_page_imports_by_state_and_year(as_user, ada, mitte):
    client = as_user(ada)
    url = f"/admin/org/branch/{mitte.pk}/import-holidays/"

    page = client.get(url).content.decode()
    response = client.post(url, {"state": "HH", "year": "2027"}, follow=True)
    repeated = client.post(url, {"state": "HH", "year": "2027"}, follow=True)

    assert "Feiertage importieren" in page and "Nordrhein-Westfalen" in page
    assert [str(m) for m in response.context["messages"]] == [
        "10 Feiertage von Hamburg 2027 als Schließtage eingetragen (0 schon vorhanden)."
    ]
    assert [str(m) for m in repeated.context["messages"]] == [
        "0 Feiertage von Hamburg 2027 als Schließtage eingetragen (10 schon vorhanden)."
    ]
    assert (date(2027, 10, 31), "Reformationstag") in closures(mitte)


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_staff_cannot_import_and_a_manager_only_for_their_branch(as_user, request, mitte, role, company):
    from tests.factories.org import BranchFactory

    other = BranchFactory(name="Süd")
    client = as_user(request.getfixturevalue(role))

    response = client.post(f"/admin/org/branch/{other.pk}/import-holidays/", {"state": "BE", "year": "2026"})

    assert response.status_code in (403, 404, 302)
    assert closures(other) == []
