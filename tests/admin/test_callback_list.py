"""The callback list: columns, order, search, filters and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.admin.conftest import changelist_url
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory


def listed_ids(response) -> list[int]:
    return [obj.pk for obj in response.context["cl"].result_list]


def test_list_shows_columns_with_click_to_call_and_badges(as_user, max_manager, callbacks):
    response = as_user(max_manager).get(changelist_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:+4930333333"' in html
    assert "Mitte Offen" in html
    assert "Haircut" in html


def test_overdue_callbacks_come_first_then_the_nearest_deadline(as_user, max_manager, mitte):
    now = timezone.now()
    later = CallbackRequestFactory(branch=mitte, expires_at=now + timedelta(hours=5))
    sooner = CallbackRequestFactory(branch=mitte, expires_at=now + timedelta(hours=1))
    overdue = CallbackRequestFactory(branch=mitte, expires_at=now - timedelta(minutes=5))
    closed = CallbackRequestFactory(branch=mitte, status="completed", expires_at=now - timedelta(days=1))

    response = as_user(max_manager).get(changelist_url())

    assert listed_ids(response) == [overdue.pk, sooner.pk, later.pk, closed.pk]


def test_overdue_marker_and_countdown_are_shown(as_user, anna, callbacks):
    response = as_user(anna).get(changelist_url())

    html = response.content.decode()
    assert 'data-overdue="1"' in html
    assert "überfällig seit 2 Std." in html


@pytest.mark.parametrize("typed", ["0301234567", "+49 30 1234567", "030 / 123 45 67", "1234567"])
def test_search_finds_a_phone_number_in_any_format(as_user, max_manager, mitte, typed):
    wanted = CallbackRequestFactory(branch=mitte, phone="+49301234567")
    CallbackRequestFactory(branch=mitte, phone="+49309999999")

    response = as_user(max_manager).get(changelist_url(), {"q": typed})

    assert listed_ids(response) == [wanted.pk]


def test_search_finds_a_name(as_user, max_manager, callbacks):
    response = as_user(max_manager).get(changelist_url(), {"q": "mitte off"})

    assert listed_ids(response) == [callbacks["mitte_open"].pk]


def test_staff_search_never_reaches_another_branch(as_user, anna, callbacks):
    response = as_user(anna).get(changelist_url(), {"q": "Nord"})

    assert listed_ids(response) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "pending"}, {"mitte_open"}),
        ({"assignee": "me"}, set()),
        ({"assignee": "none"}, {"mitte_open"}),
        ({"overdue": "yes"}, {"overdue"}),
        ({"overdue": "no"}, {"anna_own", "ben_own", "mitte_open"}),
    ],
)
def test_filters_narrow_the_list(as_user, max_manager, callbacks, query, expected):
    response = as_user(max_manager).get(changelist_url(), query)

    assert set(listed_ids(response)) == {callbacks[key].pk for key in expected}


def test_assigned_to_me_filter_shows_my_callbacks(as_user, anna, callbacks):
    response = as_user(anna).get(changelist_url(), {"assignee": "me"})

    assert set(listed_ids(response)) == {callbacks["anna_own"].pk, callbacks["overdue"].pk}


def test_unassignable_filter(as_user, max_manager, mitte):
    flagged = CallbackRequestFactory(
        branch=mitte, unassignable_since=timezone.now(), unassignable_reason="nobody at Mitte"
    )
    CallbackRequestFactory(branch=mitte)

    response = as_user(max_manager).get(changelist_url(), {"unassignable": "yes"})

    assert listed_ids(response) == [flagged.pk]


def test_created_date_range_filter(as_user, max_manager, mitte):
    old = CallbackRequestFactory(branch=mitte)
    old.created_at = timezone.now() - timedelta(days=40)
    old.save(update_fields=["created_at"])
    new = CallbackRequestFactory(branch=mitte)
    today = timezone.localdate().isoformat()

    response = as_user(max_manager).get(changelist_url(), {"created_from": today, "created_to": today})

    assert listed_ids(response) == [new.pk]


def test_deleted_callbacks_only_show_in_the_trash(as_user, max_manager, mitte):
    alive = CallbackRequestFactory(branch=mitte)
    deleted = CallbackRequestFactory(branch=mitte, deleted_at=timezone.now())
    client = as_user(max_manager)

    assert listed_ids(client.get(changelist_url())) == [alive.pk]
    assert listed_ids(client.get(changelist_url(), {"trash": "yes"})) == [deleted.pk]


def test_staff_cannot_open_the_trash(as_user, anna, mitte):
    CallbackRequestFactory(branch=mitte, deleted_at=timezone.now())

    response = as_user(anna).get(changelist_url(), {"trash": "yes"})

    assert listed_ids(response) == []


def _rows(branch, staff, count):
    for _ in range(count):
        AssignedCallbackFactory(branch=branch, assigned_to=staff)


def _count_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist_url())
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_list_queries_do_not_grow_with_the_rows_shown(as_user, max_manager, anna, mitte, haircut):
    """5 rows and 50 rows cost the same queries (after the first view has cached the badge figures)."""
    client = as_user(max_manager)
    _rows(mitte, anna, 5)
    client.get(changelist_url())
    with_five = _count_queries(client)
    _rows(mitte, anna, 45)
    client.get(changelist_url())

    assert _count_queries(client) == with_five


def test_list_query_count_is_fixed(as_user, max_manager, anna, mitte, django_assert_num_queries):
    client = as_user(max_manager)
    _rows(mitte, anna, 5)
    client.get(changelist_url())
    baseline = _count_queries(client)
    _rows(mitte, anna, 45)
    client.get(changelist_url())

    with django_assert_num_queries(baseline):
        response = client.get(changelist_url())
    assert len(response.context["cl"].result_list) == 50


def test_tabs_above_the_list_are_saved_filters_and_mark_the_active_one(as_user, anna, callbacks):
    response = as_user(anna).get(changelist_url(), {"assignee": "me"})

    tabs = next(tab for tab in response.context["tab_list"] if "callbacks.callbackrequest" in tab["models"])
    active = [str(item["title"]) for item in tabs["items"] if item["active"]]
    assert active == ["Meine Rückrufe"]
    assert "?assignee=me" in response.content.decode()


def test_search_finds_an_email_address(as_user, max_manager, mitte):
    wanted = CallbackRequestFactory(branch=mitte, customer_email="clara@example.test")
    CallbackRequestFactory(branch=mitte, customer_email="other@example.test")

    response = as_user(max_manager).get(changelist_url(), {"q": "Clara@Example.test"})

    assert listed_ids(response) == [wanted.pk]
