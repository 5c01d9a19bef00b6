"""The callback list stays light as callbacks pile up (issue 16, scenario 2): a full page is well under
150 kB, a row costs a bounded number of bytes, and ten rows or a hundred cost the same database queries
for staff, managers and admins. Speed itself is measured by `make bench` (scripts/bench/admin_list.py)."""

from datetime import timedelta

import pytest
from django.contrib.admin import site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import CallbackRequest
from tests.admin.conftest import changelist_url

PAGE_LIMIT = 150_000  # bytes of a full page of the list (issue 16)
ROW_LIMIT = 1_500  # bytes one more listed callback may add (unfold's own rows took 12 kB)


def add_callbacks(branch, staff, count: int) -> None:
    """`count` callbacks at `branch`: every second one pending and unassigned ("Übernehmen", a menu of
    assign, cancel …), the others assigned to `staff` and open or overdue (a longer menu)."""
    now = timezone.now()
    CallbackRequest.objects.bulk_create(
        CallbackRequest(
            branch=branch,
            phone=f"+4915200{n:06d}",
            customer_name=f"Kundin Nummer {n}",
            status="pending" if n % 2 else "assigned",
            assigned_to=None if n % 2 else staff,
            priority=("normal", "high", "urgent")[n % 3],
            expires_at=now + timedelta(minutes=37 * n - 600),
        )
        for n in range(count)
    )


def page(client) -> tuple[bytes, int, int]:
    """The list's first page: its bytes, the callbacks on it and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url())
    assert response.status_code == 200
    return response.content, len(response.context["cl"].result_list), len(queries)


@pytest.fixture
def hundred_per_page(monkeypatch):
    monkeypatch.setattr(site._registry[CallbackRequest], "list_per_page", 100)


def test_a_full_page_of_the_list_is_under_150_kb(as_user, max_manager, anna, mitte):
    add_callbacks(mitte, anna, 60)
    content, shown, _queries = page(as_user(max_manager))

    assert shown == site._registry[CallbackRequest].list_per_page
    assert len(content) < PAGE_LIMIT, f"{len(content)} bytes for {shown} callbacks"


def test_each_listed_callback_adds_at_most_1500_bytes(as_user, max_manager, anna, mitte, hundred_per_page):
    client = as_user(max_manager)
    add_callbacks(mitte, anna, 10)
    ten, _shown, _queries = page(client)
    add_callbacks(mitte, anna, 90)
    hundred, shown, _queries = page(client)

    per_row = (len(hundred) - len(ten)) / 90
    assert shown == 100
    assert per_row < ROW_LIMIT, f"{per_row:.0f} bytes a row; {len(hundred)} bytes for 100 callbacks"


@pytest.mark.parametrize("who", ["anna", "max_manager", "ada"])
def test_ten_or_a_hundred_callbacks_cost_the_same_queries(
    request, as_user, anna, mitte, hundred_per_page, who
):
    client = as_user(request.getfixturevalue(who))
    add_callbacks(mitte, anna, 10)
    page(client)  # per-process caches (badges, settings) filled
    _content, shown_ten, with_ten = page(client)
    add_callbacks(mitte, anna, 90)
    page(client)
    _content, shown_hundred, with_hundred = page(client)

    assert (shown_ten, shown_hundred) == (10, 100)
    assert with_hundred == with_ten
