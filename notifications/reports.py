"""The managers' emails: a daily summary (yesterday's figures, what is overdue now) and a weekly deadline
report per branch. Each manager (active, role manager or admin, with an email address) gets them unless
they switched them off (`ReportPreference`), in their own language, through the email channel.

The figures come from `callbacks.reports`, scoped to what the manager sees."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from callbacks.reports import DailyFigures, daily_figures, weekly_sla
from common.conf import current_company
from notifications.channels.base import DeliveryError, OutgoingMessage
from notifications.channels.email import send_email
from notifications.channels.router import company_from_email
from notifications.models import ReportPreference
from org.models import Staff
from org.roles import Role

DAILY, WEEKLY = "daily_summary", "weekly_sla_report"


def recipients(kind: str) -> QuerySet[Staff]:
    """Active managers and admins with an email address who did not switch `kind` off."""
    switched_off = ReportPreference.objects.filter(**{kind: False}).values("staff")
    return (
        Staff.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.ADMIN], user__is_active=True)
        .exclude(pk__in=switched_off)
        .select_related("user")
        .order_by("pk")
    )


def _address(staff: Staff) -> str:
    return staff.email or staff.user.email


def _when(value: datetime) -> str:
    company = current_company()
    tz = ZoneInfo(company.timezone) if company else timezone.get_default_timezone()
    return formats.date_format(timezone.localtime(value, tz), "d.m.Y H:i")


def _rate(met: int, considered: int) -> str:
    return f"{round(100 * met / considered)} %" if considered else "–"


def daily_text(staff: Staff, figures: DailyFigures) -> tuple[str, str]:
    day = formats.date_format(figures.day, "l, d.m.Y")
    subject = _("Daily summary for %(day)s") % {"day": day}
    lines = [
        _("Hello %(name)s,") % {"name": staff.name},
        "",
        _("Yesterday (%(day)s):") % {"day": day},
        _("- new callbacks: %(n)s") % {"n": figures.created},
        _("- completed: %(n)s") % {"n": figures.completed},
        _("- deadlines met: %(rate)s (%(met)s of %(considered)s)")
        % {
            "rate": _rate(figures.deadlines_met, figures.deadlines_considered),
            "met": figures.deadlines_met,
            "considered": figures.deadlines_considered,
        },
        "",
        _("Now: %(open)s open, %(escalations)s open escalations, %(overdue)s overdue.")
        % {
            "open": figures.open_now,
            "escalations": figures.escalations_open,
            "overdue": figures.overdue_count,
        },
    ]
    for row in figures.overdue_now:
        who = row["assigned_to"] or _("unassigned")
        lines.append(
            f"  #{row['id']} {row['customer']} · {row['branch']} · {who} · "
            + _("due %(when)s") % {"when": _when(row["expires_at"])}
        )
    return subject, "\n".join(lines)


def weekly_text(staff: Staff, rows: list[dict]) -> tuple[str, str]:
    subject = _("Deadlines met per branch, last 7 days")
    lines = [_("Hello %(name)s,") % {"name": staff.name}, "", subject + ":"]
    for row in rows:
        lines.append(
            f"- {row['branch']}: {_rate(row['met'], row['considered'])} "
            + _("(%(met)s of %(considered)s)") % {"met": row["met"], "considered": row["considered"]}
        )
    if not rows:
        lines.append(_("No callbacks with a deadline in these days."))
    return subject, "\n".join(lines)


def _send(kind: str, compose: Callable[[Staff, datetime], tuple[str, str]], now: datetime) -> int:
    sent = 0
    for staff in recipients(kind):
        address = _address(staff)
        if not address:
            continue
        with translation.override(staff.language or settings.LANGUAGE_CODE):
            subject, text = compose(staff, now)
        try:
            send_email(
                OutgoingMessage(to=address, subject=subject, text=text), from_email=company_from_email()
            )
        except DeliveryError:
            continue  # one refused address must not stop the others; the next report comes tomorrow
        sent += 1
    return sent


def send_daily_summaries(now: datetime | None = None) -> int:
    """One email per manager; the number sent."""
    return _send(
        DAILY, lambda staff, at: daily_text(staff, daily_figures(staff.user, at)), now or timezone.now()
    )


def send_weekly_sla_reports(now: datetime | None = None) -> int:
    return _send(
        WEEKLY, lambda staff, at: weekly_text(staff, weekly_sla(staff.user, at)), now or timezone.now()
    )
