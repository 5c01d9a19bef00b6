"""Where a warm in-call `check_availability` spends its time (docs/scaling.md, issue 16's scenario 3).

A measurement, not a test: its name keeps it out of the suite. Run it by path:
    make test PYTEST_ARGS="tests/integrations/retell/profile_availability.py -s --no-cov"
It prints the statements of one request, the milliseconds a request over 200, and the profile.
"""

import cProfile
import io
import pstats
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.integrations.retell.test_retell_booking_functions import calcom  # noqa: F401  (the fixture)

REQUESTS = 200
WISH = {"service": "Beratung", "date": "2026-03-05"}


def test_profile_a_warm_check_availability(calcom, call_function):  # noqa: F811
    assert call_function("check_availability", WISH, call_id="call_cold")["status"] == "available"
    with CaptureQueriesContext(connection) as one:
        call_function("check_availability", WISH, call_id="call_counted")
    print(f"\n{len(one.captured_queries)} statements:")
    for query in one.captured_queries:
        print("  ", query["sql"][:140])
    started = time.perf_counter()
    for number in range(REQUESTS):
        call_function("check_availability", WISH, call_id=f"call_timed_{number}")
    print(f"{(time.perf_counter() - started) / REQUESTS * 1000:.1f} ms a request")
    profile = cProfile.Profile()
    profile.enable()
    for number in range(REQUESTS):
        call_function("check_availability", WISH, call_id=f"call_profiled_{number}")
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
    print(out.getvalue())
