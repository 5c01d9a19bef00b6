"""seed_demo gives each demo company the 30 days before `now` (here a fixed Wednesday, not today): calls on
every day, callbacks completed, expired and escalated, appointments kept, missed and cancelled with fees,
so the dashboard's chart has bars on most days. A second run adds nothing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from callbacks.dashboard import compute_daily
from callbacks.models import CallbackEscalation, CallbackRequest
from calls.models import Call
from calls.selectors import monthly_usage
from integrations.calcom.standin import CalcomStandIn
from integrations.management.commands.calcom_standin import event_types_of, hold_upcoming_bookings
from policies.models import AppointmentModification
from tenants.models import Company

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
FIRST_DAY = (NOW - timedelta(days=30)).date()


def per_day(queryset, field: str) -> dict:
    rows = queryset.annotate(day=TruncDate(field, tzinfo=UTC)).values("day").annotate(n=Count("id"))
    return {row["day"]: row["n"] for row in rows}


def test_the_demo_has_thirty_days_of_calls_callbacks_and_appointments_before_now(public):
    call_command("seed_demo", now=NOW)
    call_command("seed_demo", now=NOW + timedelta(days=3))  # idempotent: nothing is added
    demo = Company.objects.get(slug="demo")

    with tenant_context(demo):
        history = Call.objects.filter(retell_call_id__startswith="call_demo_")
        calls = per_day(history, "started_at")
        callbacks = per_day(CallbackRequest.objects.filter(created_at__lt=NOW), "created_at")
        assert min(calls) == FIRST_DAY and max(calls) == (NOW - timedelta(days=1)).date()
        assert len(calls) == 30 and min(calls.values()) > 0, "calls on every one of the 30 days"
        assert len(callbacks) >= 20, f"callbacks on most days: {sorted(callbacks)}"
        assert all(NOW - timedelta(days=31) < call.started_at < NOW for call in history)

        fates = set(CallbackRequest.objects.filter(created_at__lt=NOW).values_list("status", flat=True))
        assert {"completed", "expired"} <= fates
        assert CallbackEscalation.objects.exists(), "some callbacks were escalated"

        kept = set(Appointment.objects.values_list("status", flat=True))
        assert {"completed", "cancelled", "scheduled"} <= kept, "past, cancelled and upcoming appointments"
        fees = AppointmentModification.objects.filter(modification_type="cancel")
        assert fees.filter(fee_amount__gt=Decimal(0)).exists(), "some cancellations cost a fee"
        assert all(change.created_at < min(change.appointment.starts_at, NOW) for change in fees)

        past = CallbackRequest.objects.filter(created_at__lt=NOW).select_related("assigned_to", "branch")
        for done in past:
            assert done.branch in done.assigned_to.branches.all(), f"{done.assigned_to} at {done.branch}"
        for booked in Appointment.objects.filter(created_at__lt=NOW).select_related("staff", "branch"):
            assert booked.branch in booked.staff.branches.all(), f"{booked.staff} at {booked.branch}"
        with translation.override("de"):
            assert done.assignment_reason_text.startswith("am wenigsten ausgelastet"), done.assignment_reason

        assert set(history.values_list("cost_currency", flat=True)) == {demo.currency}
        assert all(month.cost_cents > 0 for month in monthly_usage(currency=demo.currency)), "costs shown"

        manager = User.objects.get(username="manager@demo.test")
        chart = compute_daily(manager, now=NOW)
        assert sum(day["created"] > 0 for day in chart) >= 20 and sum(d["completed"] for d in chart) > 0


def test_the_standin_make_run_serves_holds_the_demos_event_types_and_upcoming_appointments(public):
    """Seeded up to the present here: the stand-in holds what is still ahead (from yesterday on)."""
    call_command("seed_demo")
    demo = Company.objects.get(slug="demo")
    standin = CalcomStandIn().start()

    with tenant_context(demo):
        event_types = event_types_of(owner_id=1)
        standin.event_types = event_types
        held = hold_upcoming_bookings(standin)
        since = timezone.now() - timedelta(days=1)
        ahead = Appointment.objects.filter(status="scheduled", starts_at__gte=since)
        assert demo.calcom_api_key == "cal_demo_demo" and demo.calcom_webhook_secret
        assert len(event_types) == 9 and {e["lengthInMinutes"] for e in event_types} == {20, 30, 60}
        assert held > 0 and set(standin.booked) == set(ahead.values_list("calcom_booking_uid", flat=True))
    standin.stop()
