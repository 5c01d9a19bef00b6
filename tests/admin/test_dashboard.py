"""Dashboard figures: right per role, cached per company, invalidated by callback events, live endpoint."""

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from callbacks import dashboard, services
from callbacks.models import CallbackRequest
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory

LIVE = "/admin/callbacks/callbackrequest/live/"


def test_tiles_count_per_role(as_user, anna, max_manager, ada, callbacks):
    assert dashboard.compute_tiles(anna.user)["open"] == 3
    assert dashboard.compute_tiles(max_manager.user)["open"] == 4
    assert dashboard.compute_tiles(ada.user)["open"] == 6
    assert dashboard.compute_tiles(ada.user)["overdue"] == 1
    assert dashboard.compute_tiles(ada.user)["overdue_by_priority"]["normal"] == 1


def test_completion_rate_and_deadlines_met(ada, mitte, anna):
    now = timezone.now()
    AssignedCallbackFactory(
        branch=mitte,
        assigned_to=anna,
        status="completed",
        completed_at=now,
        contacted_at=now - timedelta(hours=1),
        expires_at=now + timedelta(hours=1),
    )
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, expires_at=now - timedelta(hours=1))

    tiles = dashboard.compute_tiles(ada.user)

    assert tiles["completion_rate_7d"] == 50
    assert tiles["sla_7d"] == 50  # one reached in time, one missed its deadline
    assert tiles["completed_today"] == 1


def test_figures_are_cached_until_a_callback_event_invalidates_them(
    django_capture_on_commit_callbacks, ada, mitte
):
    cache.clear()
    first = dashboard.tiles(ada.user)
    CallbackRequestFactory(branch=mitte)  # written straight to the table: no event, so still cached

    assert dashboard.tiles(ada.user) == first

    with django_capture_on_commit_callbacks(execute=True):
        services.callback_create(branch_id=mitte.pk, phone="+49301112233", customer_name="Neu")

    assert dashboard.tiles(ada.user)["pending"] == first["pending"] + 2


def test_cache_is_per_company(company, other_company, ada, mitte):
    cache.clear()
    CallbackRequestFactory(branch=mitte)
    acme_tiles = dashboard.tiles(ada.user)
    with tenant_context(other_company):
        from tests.factories.org import StaffFactory

        globex_admin = StaffFactory(name="Gina", user__username="gina@globex.test", role="admin")
        globex_tiles = dashboard.tiles(globex_admin.user)
    connection.set_tenant(company)

    assert acme_tiles["pending"] == 1
    assert globex_tiles["pending"] == 0


def test_dashboard_query_count_does_not_grow_with_callbacks(
    as_user, ada, mitte, django_assert_max_num_queries
):
    client = as_user(ada)
    cache.clear()
    for _ in range(3):
        CallbackRequestFactory(branch=mitte)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/admin/")
    for _ in range(40):
        CallbackRequestFactory(branch=mitte)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/")

    assert len(many.captured_queries) == len(few.captured_queries)


def test_cached_dashboard_runs_no_figure_queries(as_user, ada, mitte, django_assert_max_num_queries):
    client = as_user(ada)
    CallbackRequestFactory(branch=mitte)
    client.get("/admin/")  # fills the cache

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/admin/")
    figure_queries = [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(figure_queries) <= 1  # only the list of open escalations, never the big aggregates


def test_dashboard_page_shows_tiles_and_the_lists_per_role(as_user, anna, max_manager, callbacks):
    staff_page = as_user(anna).get("/admin/").content.decode()
    manager_page = as_user(max_manager).get("/admin/").content.decode()

    assert 'data-testid="due-next"' in staff_page and "Anna Überfällig" in staff_page
    assert 'data-testid="escalations-to-review"' not in staff_page
    assert 'data-testid="escalations-to-review"' in manager_page
    assert 'data-tile="overdue"' in manager_page


def test_escalations_to_review_lists_open_escalations(as_user, max_manager, callbacks):
    services.callback_escalate(callback=callbacks["anna_own"], reason="manual", by=max_manager.user)

    rows = dashboard.escalations_to_review(max_manager.user)

    assert [row["callback_id"] for row in rows] == [callbacks["anna_own"].pk]
    assert dashboard.compute_tiles(max_manager.user)["escalations_open"] == 1


def test_live_endpoint_fingerprint_changes_when_a_callback_changes(
    django_capture_on_commit_callbacks, as_user, max_manager, anna, callbacks
):
    client = as_user(max_manager)
    before = client.get(LIVE).json()

    with django_capture_on_commit_callbacks(execute=True):
        services.callback_assign(callback=callbacks["mitte_open"], staff=anna, by=max_manager.user)
    after = client.get(LIVE).json()

    assert before["fingerprint"] != after["fingerprint"]
    assert after["tiles"]["pending"] == before["tiles"]["pending"] - 1


def test_the_dashboard_polls_the_live_endpoint_and_the_list_asks_for_new_callbacks(as_user, anna, callbacks):
    client = as_user(anna)

    assert LIVE in client.get("/admin/").content.decode()
    listing = client.get("/admin/callbacks/callbackrequest/").content.decode()
    assert 'data-new-callbacks="/admin/callbacks/callbackrequest/new/"' in listing
    assert LIVE not in listing  # no silent reload under the user's hands


def test_navigation_badges_show_open_and_overdue_counts(as_user, ada, callbacks):
    html = as_user(ada).get("/admin/callbacks/callbackrequest/").content.decode()

    assert dashboard.badge_counts(ada.user) == {"open": 6, "overdue": 1, "pending": 2, "escalations_open": 0}
    assert "?overdue=yes" in html


def test_daily_chart_counts_today(ada, mitte):
    CallbackRequestFactory(branch=mitte)

    days = dashboard.compute_daily(ada.user)

    assert len(days) == 30
    assert days[-1]["created"] == 1


def test_staff_load_counts_open_callbacks(max_manager, anna, callbacks):
    load = {row["name"]: row["open"] for row in dashboard.compute_staff_load(max_manager.user)}

    assert load["Anna"] == 2
    assert "Nora" not in load  # another branch
    assert CallbackRequest.objects.filter(assigned_to=anna).count() == 2


def test_escalations_link_lists_the_open_ones(as_user, max_manager, callbacks):
    services.callback_escalate(callback=callbacks["anna_own"], reason="manual", by=max_manager.user)
    escalation = services.callback_escalate(
        callback=callbacks["ben_own"], reason="manual", by=max_manager.user
    )
    escalation.resolved_at = timezone.now()
    escalation.save()

    response = as_user(max_manager).get("/admin/callbacks/callbackescalation/?resolved_at__isempty=1")

    assert [row.callback_id for row in response.context["cl"].result_list] == [callbacks["anna_own"].pk]
    assert "/admin/callbacks/callbackescalation/?resolved_at__isempty=1" in response.content.decode()


def test_per_branch_figures_for_managers_and_admins(as_user, max_manager, ada, callbacks):
    manager_rows = {
        row["name"]: (row["open"], row["overdue"]) for row in dashboard.compute_by_branch(max_manager.user)
    }
    admin_rows = {row["name"]: (row["open"], row["overdue"]) for row in dashboard.compute_by_branch(ada.user)}

    assert manager_rows == {"Mitte": (4, 1)}
    assert admin_rows == {"Mitte": (4, 1), "Nord": (2, 0)}
    assert 'data-testid="by-branch"' in as_user(ada).get("/admin/").content.decode()
