"""Minutes and cost per month: for one company, and for the platform across companies."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django_tenants.utils import tenant_context

from calls.selectors import monthly_usage, usage_of_each_company
from tests.factories.calls import CallFactory

BERLIN = ZoneInfo("Europe/Berlin")


def a_call(started_at: datetime, minutes: float, cents: str) -> None:
    CallFactory(
        started_at=started_at,
        duration_ms=int(minutes * 60_000),
        cost_cents=Decimal(cents),
        converted_cost_cents=Decimal(cents) * Decimal("0.9"),
        cost_currency="EUR",
    )


def test_a_month_is_counted_in_the_companys_timezone(company):
    a_call(datetime(2026, 3, 31, 23, 30, tzinfo=BERLIN), 2, "10")  # March in Berlin (22:30 UTC)
    a_call(datetime(2026, 4, 1, 0, 30, tzinfo=BERLIN), 1, "5")  # April in Berlin, still March in UTC
    rows = monthly_usage(tz=BERLIN)
    assert [(r.month.isoformat(), r.calls, r.minutes, r.cost_usd) for r in rows] == [
        ("2026-04-01", 1, Decimal("1.0"), Decimal("0.05")),
        ("2026-03-01", 1, Decimal("2.0"), Decimal("0.10")),
    ]


def test_the_platform_sees_each_company_with_its_own_calls(company, other_company):
    a_call(datetime(2026, 3, 4, 10, tzinfo=BERLIN), 3, "20")
    with tenant_context(other_company):
        a_call(datetime(2026, 3, 5, 10, tzinfo=BERLIN), 1, "7")
    usage = {u.schema_name: u.months for u in usage_of_each_company()}
    assert [(r.calls, r.minutes) for r in usage["acme"]] == [(1, Decimal("3.0"))]
    assert [(r.calls, r.minutes) for r in usage["globex"]] == [(1, Decimal("1.0"))]
