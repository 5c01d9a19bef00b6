"""A manager reads a call in a real browser: summary, transcript, what the agent did; an admin the monthly
usage (costs are for admins)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import (  # noqa: F401  (live-server fixtures and helpers of tests/browser)
    _compiled_catalogue,
    _german_catalogue,
    acme_rows,
    acme_url,
    log_in,
    page,
    screenshot,
)
from tests.factories.calls import CallFactory, FunctionInvocationFactory
from tests.factories.org import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analysed_call(company, acme_url, max_manager):  # noqa: F811
    call = CallFactory(
        branch=max_manager.branches.get(),
        customer=CustomerFactory(name="Dana Ruiz"),
        started_at=datetime(2026, 3, 4, 10, 5, tzinfo=ZoneInfo("Europe/Berlin")),
        duration_ms=101_776,
        summary="Dana möchte ihren Termin auf Donnerstag verschieben.",
        transcript="Agent: Grüß Gott, Praxis Mitte.\nUser: Ich möchte meinen Termin verschieben.",
        recording_url="https://example-bucket.retellai.com/rec.wav",
        cost_cents=Decimal("11.87"),
        converted_cost_cents=Decimal("10.92"),
        cost_currency="EUR",
    )
    FunctionInvocationFactory(
        call=call,
        name="reschedule_appointment",
        arguments={"new_date": "Donnerstag um 10"},
        result={"ok": True, "message": "Erledigt: Beratung ist jetzt am Donnerstag, 5. März um 10:00 Uhr."},
        duration_ms=240,
    )
    return call


def test_a_manager_reads_a_call_and_the_monthly_usage(acme_url, analysed_call, page):  # noqa: F811
    log_in(page, acme_url, "max@acme.test")
    page.goto(acme_url("/admin/calls/call/"))
    page.get_by_text("Dana Ruiz").first.wait_for()
    page.goto(acme_url(f"/admin/calls/call/{analysed_call.pk}/change/"))
    text = page.locator("body").inner_text()
    for expected in (
        "Dana möchte ihren Termin auf Donnerstag verschieben.",
        "Grüß Gott, Praxis Mitte.",
        "reschedule_appointment",
        "Erledigt: Beratung ist jetzt am Donnerstag",
    ):
        assert expected in text, expected
    assert page.locator('a[href="https://example-bucket.retellai.com/rec.wav"]').count() == 1
    assert "0,11" not in text and "10,92" not in text  # costs are for admins (org.access.may_see_costs)
    screenshot(page, "call-detail")
    assert page.goto(acme_url("/admin/calls/call/usage/")).status == 403


def test_an_admin_reads_the_monthly_usage(acme_url, analysed_call, ada, page):  # noqa: F811
    log_in(page, acme_url, "ada@acme.test")
    page.goto(acme_url("/admin/calls/call/usage/"))
    usage = page.locator("#monthly-usage").inner_text()
    assert "März 2026\t1\t1,7\t0,12\t0,11" in usage  # 101.8 s; 11.87 US cents; 10.92 euro cents
    screenshot(page, "call-usage")
