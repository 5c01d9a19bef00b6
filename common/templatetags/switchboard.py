"""Time and phone display for the admin: relative deadlines ("in 35 Min.", "überfällig seit 2 Std."), times
shown in a branch's own timezone, and phone numbers as formatted `tel:` links.

The functions are plain Python too (`relative_deadline(when, now=...)`), so list columns and the dashboard
JSON use exactly the wording the templates use.
"""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.phone import phone_display, phone_link

register = template.Library()

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def _amount(seconds: float) -> tuple[str, int]:
    """The largest whole unit that fits: minutes under an hour, hours under two days, then days."""
    if seconds < HOUR:
        return "min", max(1, int(seconds // MINUTE))
    if seconds < 2 * DAY:
        return "h", int(seconds // HOUR)
    return "d", int(seconds // DAY)


def _future(unit: str, n: int) -> str:
    if unit == "min":
        return _("in %(n)s min") % {"n": n}
    if unit == "h":
        return _("in %(n)s h") % {"n": n}
    return ngettext("in %(n)s day", "in %(n)s days", n) % {"n": n}


def _overdue(unit: str, n: int) -> str:
    if unit == "min":
        return _("overdue by %(n)s min") % {"n": n}
    if unit == "h":
        return _("overdue by %(n)s h") % {"n": n}
    return ngettext("overdue by %(n)s day", "overdue by %(n)s days", n) % {"n": n}


def relative_deadline(when: datetime | None, now: datetime | None = None) -> str:
    """A deadline relative to now, in the active language; "" without a deadline."""
    if when is None:
        return ""
    seconds = (when - (now or timezone.now())).total_seconds()
    if seconds >= 0:
        return _future(*_amount(seconds))
    return _overdue(*_amount(-seconds))


def relative_past(when: datetime | None, now: datetime | None = None) -> str:
    """How long ago something happened ("vor 5 Min."); "" for None."""
    if when is None:
        return ""
    seconds = max(0.0, ((now or timezone.now()) - when).total_seconds())
    if seconds < MINUTE:
        return _("just now")
    unit, n = _amount(seconds)
    if unit == "min":
        return _("%(n)s min ago") % {"n": n}
    if unit == "h":
        return _("%(n)s h ago") % {"n": n}
    return ngettext("%(n)s day ago", "%(n)s days ago", n) % {"n": n}


def _zone(zone: object) -> tzinfo | None:
    if zone is None or zone == "":
        return None
    if isinstance(zone, tzinfo):
        return zone
    tz = getattr(zone, "tzinfo", None)  # a Branch (or anything with a tzinfo property)
    if isinstance(tz, tzinfo):
        return tz
    return ZoneInfo(str(zone))


def local_datetime(value: datetime | None, zone: object = None, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """`value` formatted in `zone` (a Branch, a ZoneInfo or an IANA name), localised; "" for None."""
    if value is None:
        return ""
    tz = _zone(zone)
    local = timezone.localtime(value, tz) if tz else timezone.localtime(value)
    return f"{formats.date_format(local, fmt)} {local.tzname()}"


@register.filter(name="deadline")
def deadline_filter(value: datetime | None) -> str:
    return relative_deadline(value)


@register.filter(name="ago")
def ago_filter(value: datetime | None) -> str:
    return relative_past(value)


@register.filter(name="in_tz")
def in_tz_filter(value: datetime | None, zone: object = None) -> str:
    """`{{ callback.expires_at|in_tz:callback.branch }}` → "04.03.2026 10:00 CET"."""
    return local_datetime(value, zone)


@register.filter(name="phone_link")
def phone_link_filter(number: object, css_class: str = "text-primary-600") -> str:
    """`{{ callback.phone|phone_link }}` → a `tel:` link showing the number formatted (common.phone)."""
    return phone_link(number, css_class)


@register.filter(name="phone")
def phone_filter(number: object) -> str:
    """`{{ callback.phone|phone }}` → "030 123456" (common.phone.phone_display)."""
    return phone_display(number)
