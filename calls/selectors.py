"""Reads about calls: monthly usage (minutes and cost) of the current company, and of every company for
the platform (`usage_of_each_company` is the one read here that crosses tenants, on purpose)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncMonth

from calls.models import Call, FunctionInvocation


@dataclass(frozen=True)
class MonthlyUsage:
    month: date
    calls: int
    minutes: Decimal
    cost_usd_cents: Decimal
    cost_cents: Decimal
    currency: str

    @property
    def cost(self) -> Decimal:
        """In the company's currency, in units (not cents)."""
        return (self.cost_cents / 100).quantize(Decimal("0.01"))

    @property
    def cost_usd(self) -> Decimal:
        return (self.cost_usd_cents / 100).quantize(Decimal("0.01"))


def monthly_usage(*, months: int = 12, currency: str = "EUR", tz=None) -> list[MonthlyUsage]:
    """Calls, minutes and cost per calendar month (in `tz`), newest first; one query."""
    rows = (
        Call.objects.exclude(started_at=None)
        .annotate(month=TruncMonth("started_at", tzinfo=tz))
        .values("month")
        .annotate(
            calls=Count("id"),
            duration_ms=Coalesce(Sum("duration_ms"), 0),
            cost_usd_cents=Coalesce(Sum("cost_cents"), Decimal(0)),
            cost_cents=Coalesce(Sum("converted_cost_cents"), Decimal(0)),
        )
        .order_by("-month")[:months]
    )
    return [
        MonthlyUsage(
            month=row["month"].date(),
            calls=row["calls"],
            minutes=(Decimal(row["duration_ms"]) / 60_000).quantize(Decimal("0.1")),
            cost_usd_cents=row["cost_usd_cents"],
            cost_cents=row["cost_cents"],
            currency=currency,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CompanyUsage:
    company_name: str
    schema_name: str
    months: list[MonthlyUsage]


def usage_of_each_company(*, months: int = 3) -> list[CompanyUsage]:
    """Platform view: every active company's recent months (one query per company, in its schema)."""
    from tenants.selectors import in_each_active_company

    result = []
    for company in in_each_active_company():
        rows = monthly_usage(months=months, currency=company.currency, tz=ZoneInfo(company.timezone))
        result.append(CompanyUsage(company.name, company.schema_name, rows))
    return result


def calls_export(customer) -> list[dict]:
    """Data-subject export: the customer's calls with what was said and what the agent did on them."""
    phone = str(customer.phone) if customer.phone else ""
    rows = Call.objects.filter(customer=customer)
    if phone:
        rows = rows | Call.objects.filter(from_number=phone) | Call.objects.filter(to_number=phone)
    calls = list(
        rows.order_by("started_at", "pk").values(
            "id",
            "retell_call_id",
            "direction",
            "from_number",
            "to_number",
            "started_at",
            "ended_at",
            "duration_ms",
            "transcript",
            "recording_url",
            "summary",
            "sentiment",
            "successful",
            "custom_analysis",
            "collected_variables",
        )  # fmt: skip
    )
    functions: dict[int, list[dict]] = {}
    invocations = FunctionInvocation.objects.filter(call__in=[c["id"] for c in calls]).order_by(
        "created_at", "pk"
    )
    for invocation in invocations.values("call_id", "created_at", "name", "arguments", "result"):
        functions.setdefault(invocation.pop("call_id"), []).append(invocation)
    return [{**call, "functions": functions.get(call["id"], [])} for call in calls]
