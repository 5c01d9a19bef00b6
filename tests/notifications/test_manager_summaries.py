"""The managers' emails: the daily summary (yesterday's figures, what is overdue now) and the weekly deadline
report per branch, through a real SMTP server, each switchable per person; the clock stands still on
Wednesday 4 March 2026, 10:00 in Berlin."""

from datetime import timedelta

from django.utils import timezone

from callbacks.models import CallbackRequest
from notifications import beat, reports
from notifications.models import ReportPreference
from org.roles import Role
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory
from tests.personas import acme_person


def body(email) -> str:
    return email.body("plain")


def made(factory, created_at, **fields):
    """A callback created at `created_at` (the column is set on insert, so it is moved afterwards)."""
    callback = factory(**fields)
    CallbackRequest.all_objects.filter(pk=callback.pk).update(created_at=created_at)
    return callback


def yesterday_at(hour: int):
    return timezone.now().replace(hour=hour, minute=0) - timedelta(days=1)


def test_each_manager_gets_yesterdays_figures_and_what_is_overdue_now(smtp, clock, mitte, anna, max_manager):
    nord = BranchFactory(name="Nord", hours=[])
    acme_person("Norbert", Role.MANAGER, nord)
    made(CallbackRequestFactory, yesterday_at(9), branch=mitte)
    made(
        AssignedCallbackFactory,
        yesterday_at(8),
        branch=mitte,
        assigned_to=anna,
        customer_name="Erika Überfällig",
        expires_at=timezone.now() - timedelta(hours=1),
    )
    made(
        AssignedCallbackFactory,
        yesterday_at(8),
        branch=mitte,
        assigned_to=anna,
        status="completed",
        contacted_at=yesterday_at(9),
        completed_at=yesterday_at(9),
        expires_at=yesterday_at(12),
    )

    assert reports.send_daily_summaries() == 2  # Max and Norbert; Anna is staff

    mails = {email.recipients[0]: email for email in smtp.received}
    assert "anna@acme.test" not in mails
    max_mail = body(mails["max@acme.test"])
    assert "Tägliche Übersicht" in mails["max@acme.test"].subject
    assert "03.03.2026" in mails["max@acme.test"].subject
    assert "neue Rückrufe: 3" in max_mail
    assert "erledigt: 1" in max_mail
    assert "Erika Überfällig" in max_mail and "1 überfällig" in max_mail
    assert "Erika Überfällig" not in body(mails["norbert@acme.test"])  # another branch


def test_a_manager_can_switch_the_daily_summary_off(smtp, clock, mitte, max_manager):
    ReportPreference.objects.create(staff=max_manager, daily_summary=False)

    reports.send_daily_summaries()
    reports.send_weekly_sla_reports()

    assert [email.recipients for email in smtp.received] == [["max@acme.test"]]  # only the weekly one
    assert "Fristen eingehalten" in smtp.received[0].subject


def test_the_weekly_report_gives_the_rate_per_branch(smtp, clock, mitte, anna, max_manager):
    for met in (True, True, False):
        deadline = yesterday_at(12)
        made(
            AssignedCallbackFactory,
            yesterday_at(8),
            branch=mitte,
            assigned_to=anna,
            expires_at=deadline,
            contacted_at=deadline - timedelta(hours=1) if met else None,
        )

    reports.send_weekly_sla_reports()

    assert "Mitte: 67 % (2 von 3)" in body(smtp.received[0])


def test_the_reports_are_beat_tasks_per_company():
    tasks = {entry["args"][0] for entry in beat.SCHEDULE.values()}

    assert {"notifications.manager_daily_summary", "notifications.manager_weekly_sla_report"} <= tasks


def test_a_manager_switches_their_own_reports_in_the_admin(clock, mitte, max_manager, anna, company):
    from tests.admin.conftest import login

    client = login(company, max_manager.user)

    form = client.get("/admin/notifications/reportpreference/", follow=True)
    assert client.post("/admin/notifications/reportpreference/add/", {}).status_code == 200  # nothing chosen
    assert not ReportPreference.objects.exists()
    saved = client.post(
        "/admin/notifications/reportpreference/add/",
        {"daily_summary": "False", "weekly_sla_report": "True"},
        follow=True,
    )

    assert form.status_code == saved.status_code == 200
    preference = ReportPreference.objects.get(staff=max_manager)
    assert (preference.daily_summary, preference.weekly_sla_report) == (False, True)
    assert client.get("/admin/notifications/reportpreference/").url.endswith(f"/{preference.pk}/change/")
    assert login(company, anna.user).get("/admin/notifications/reportpreference/").status_code == 403
