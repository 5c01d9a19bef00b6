"""Where a page of the callback list spends its time, as a manager (docs/scaling.md, issue 16's scenario 2).

A measurement, not a test: its name keeps it out of the suite. Run it by path:
    make test PYTEST_ARGS="tests/admin/profile_callback_list.py -s --no-cov"
It prints the queries of one page, the milliseconds a page of 50 rows, the time of each part (the rows,
the ChangeList, each template with what it includes) and the profile.
"""

import cProfile
import io
import pstats
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from django.db import connection
from django.template import base
from django.test.utils import CaptureQueriesContext

from callbacks.admin.callback import CallbackRequestAdmin
from callbacks.templatetags import callback_rows
from tests.admin.conftest import changelist_url
from tests.admin.test_callback_list_weight import add_callbacks

REQUESTS = 40


@contextmanager
def timed(spent: Counter, owner: object, name: str, label: str) -> Iterator[None]:
    """Add the time of every call of `owner.name` to `spent[label]` while inside."""
    inner: Callable = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, inner)


def parts(client) -> Counter:
    spent: Counter = Counter()
    original = base.Template.render

    def render(template, context):
        started = time.perf_counter()
        try:
            return original(template, context)
        finally:
            spent[f"template {template.origin.name if template.origin else '?'}"] += (
                time.perf_counter() - started
            )

    with (
        timed(spent, callback_rows, "_row", "the rows"),
        timed(spent, CallbackRequestAdmin, "get_changelist_instance", "the ChangeList and its queries"),
    ):
        base.Template.render = render
        with suppress(Exception):
            started = time.perf_counter()
            for _ in range(REQUESTS):
                client.get(changelist_url())
            spent["the whole request"] += time.perf_counter() - started
        base.Template.render = original
    return spent


def test_profile_a_page_of_the_callback_list(as_user, max_manager, mitte, anna):
    add_callbacks(mitte, anna, 120)
    client = as_user(max_manager)
    assert client.get(changelist_url()).status_code == 200  # the badges' figures are cached from here on
    with CaptureQueriesContext(connection) as queries:
        client.get(changelist_url())
    print(f"\n{len(queries.captured_queries)} queries:")
    for query in queries.captured_queries:
        print("  ", query["sql"][:140])
    started = time.perf_counter()
    for _ in range(REQUESTS):
        client.get(changelist_url())
    print(f"{(time.perf_counter() - started) / REQUESTS * 1000:.1f} ms a page")
    for label, seconds in parts(client).most_common(12):
        print(f"{seconds / REQUESTS * 1000:8.1f} ms  {label}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(REQUESTS):
        client.get(changelist_url())
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
    print(out.getvalue())
