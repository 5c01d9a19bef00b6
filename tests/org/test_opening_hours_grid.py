"""Opening hours as a week grid on the branch page: HH:MM, several spans a day, "auf Mo–Fr kopieren"."""

from datetime import time

import pytest

from org.forms_hours import spans_parse
from org.models import OpeningHours
from tests.factories.org import BranchFactory
from tests.org.german import _catalogue, german  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("german")


def branch_data(branch, **days) -> dict[str, str]:
    data = {
        "name": branch.name,
        "timezone": "Europe/Berlin",
        "is_active": "on",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
        **{f"hours_{day}": "" for day in range(7)},
    }
    return {**data, **days}


def rows(branch) -> list[tuple[int, str, str]]:
    return [
        (row.weekday, f"{row.opens:%H:%M}", f"{row.closes:%H:%M}")
        for row in OpeningHours.objects.filter(branch=branch).order_by("weekday", "opens")
    ]


def test_the_grid_shows_each_day_in_hh_mm_without_seconds(as_user, ada, mitte):
    response = as_user(ada).get(f"/admin/org/branch/{mitte.pk}/change/")
    page, form = response.content.decode(), response.context["adminform"].form

    assert 'name="hours_0" value="09:00–18:00"' in page
    assert form["hours_6"].value() == ""
    assert 'placeholder="geschlossen"' in page
    assert "09:00:00" not in page
    assert "Montag" in page and "Sonntag" in page and "Montag auf Mo–Fr kopieren" in page
    assert "opening_hours-TOTAL_FORMS" not in page  # the eleven raw rows are gone


def test_several_spans_a_day_are_saved_and_an_empty_day_is_closed(as_user, ada, mitte):
    data = branch_data(mitte, hours_0="08:00–12:00, 14:00 - 18:30", hours_5="9.00 bis 13.00")

    response = as_user(ada).post(f"/admin/org/branch/{mitte.pk}/change/", data)

    assert response.status_code == 302
    assert rows(mitte) == [(0, "08:00", "12:00"), (0, "14:00", "18:30"), (5, "09:00", "13:00")]


def test_copy_to_monday_to_friday_gives_each_workday_mondays_hours(as_user, ada, company):
    branch = BranchFactory(name="Nord", hours=[])
    data = branch_data(
        branch, hours_0="08:00–12:00, 13:00–17:00", hours_2="10:00–11:00", copy_to_workdays="on"
    )

    as_user(ada).post(f"/admin/org/branch/{branch.pk}/change/", data)

    expected = [
        (day, opens, closes) for day in range(5) for opens, closes in (("08:00", "12:00"), ("13:00", "17:00"))
    ]
    assert rows(branch) == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("18:00–08:00", "„18:00–08:00“: Die Schließzeit muss nach der Öffnungszeit liegen."),
        ("09:00–13:00, 12:00–18:00", "„09:00–13:00“ und „12:00–18:00“ überschneiden sich."),
        ("neun bis fünf", "„neun bis fünf“ ist keine Zeitspanne: bitte wie „08:00–12:00“ schreiben."),
        ("09:00–25:00", "„09:00–25:00“: Diese Uhrzeit gibt es nicht."),
    ],
)
def test_a_wrong_day_is_refused_next_to_its_field_in_words(as_user, ada, mitte, typed, error):
    before = rows(mitte)

    response = as_user(ada).post(f"/admin/org/branch/{mitte.pk}/change/", branch_data(mitte, hours_1=typed))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hours_1"] == [error]
    assert rows(mitte) == before


def test_unchanged_days_keep_their_rows(as_user, ada, mitte):
    monday = OpeningHours.objects.get(branch=mitte, weekday=0)
    week = {f"hours_{day}": "09:00–18:00" for day in range(4)}

    as_user(ada).post(
        f"/admin/org/branch/{mitte.pk}/change/", branch_data(mitte, **week, hours_4="09:00–14:00")
    )

    assert OpeningHours.objects.filter(pk=monday.pk).exists()
    assert rows(mitte)[-1] == (4, "09:00", "14:00")


def test_spans_are_read_in_order_whatever_order_they_are_typed():
    assert spans_parse("14:00-18:00, 8:00-12:00") == [(time(8), time(12)), (time(14), time(18))]
    assert spans_parse("  ") == []
