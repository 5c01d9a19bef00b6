""" "Offen" is one number: the dashboard tile, the sidebar badge and the branch table agree."""

import re

import pytest
from django.core.cache import cache

from callbacks import dashboard
from tests.factories.callbacks import AssignedCallbackFactory


@pytest.mark.parametrize("who", ["anna", "max_manager", "ada"])
def test_tile_badge_and_branch_table_show_the_same_open_count(who, request, as_user, callbacks, mitte, anna):
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, status="completed")  # closed: not open
    cache.clear()
    person = request.getfixturevalue(who)
    html = as_user(person).get("/admin/").content.decode()

    tile = int(re.search(r'data-tile="open">(\d+)<', html).group(1))
    badge = int(dashboard.nav_badge_open(type("Request", (), {"user": person.user})()))
    branch_total = sum(row["open"] for row in dashboard.compute_by_branch(person.user))

    assert tile == badge
    if who != "anna":  # staff do not get the branch table
        assert branch_total == tile


def test_the_open_count_is_open_statuses_not_pending_only(max_manager, callbacks):
    tiles = dashboard.compute_tiles(max_manager.user)

    assert tiles["open"] == 4
    assert tiles["pending"] < tiles["open"]
