"""A branch's opening hours as a week grid: one line per weekday, several spans each, HH:MM.

Monday "08:00–12:00, 14:00–18:00" means open twice with a lunch break; an empty day is closed. "Auf Mo–Fr
kopieren" puts Monday's hours on Tuesday to Friday when saving. Errors name the day and the span in words.
The rows are written by `org.services.opening_hours_set`.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget, UnfoldBooleanSwitchWidget

from org.models import WEEKDAYS, Branch

Week = dict[int, list[tuple[time, time]]]

SPAN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*(?:-|–|—|bis)\s*(\d{1,2})[:.](\d{2})\s*$")
SPAN_UNREADABLE = _("“%(span)s” is not a time span: write it like “08:00–12:00”.")
SPAN_IMPOSSIBLE = _("“%(span)s”: there is no such time of day.")
SPAN_BACKWARDS = _("“%(span)s”: closing time must be after opening time.")
SPANS_OVERLAP = _("“%(first)s” and “%(second)s” overlap.")
DAY_HELP = _("Empty: closed. Several spans with commas, e.g. “08:00–12:00, 14:00–18:00”.")
WORKDAYS = range(5)


def day_field_name(weekday: int) -> str:
    return f"hours_{weekday}"


def spans_text(spans: list[tuple[time, time]]) -> str:
    return ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in sorted(spans))


def spans_parse(text: str) -> list[tuple[time, time]]:
    """ "08:00–12:00, 14:00–18:00" → [(08:00, 12:00), (14:00, 18:00)], sorted; raises in words."""
    spans: list[tuple[time, time]] = []
    for part in (piece for piece in re.split(r"[,;\n]", text or "") if piece.strip()):
        match = SPAN.match(part)
        if match is None:
            raise forms.ValidationError(SPAN_UNREADABLE, params={"span": part.strip()})
        hour_a, minute_a, hour_b, minute_b = (int(group) for group in match.groups())
        try:
            opens, closes = time(hour_a, minute_a), time(hour_b, minute_b)
        except ValueError as exc:
            raise forms.ValidationError(SPAN_IMPOSSIBLE, params={"span": part.strip()}) from exc
        if closes <= opens:
            raise forms.ValidationError(SPAN_BACKWARDS, params={"span": part.strip()})
        spans.append((opens, closes))
    spans.sort()
    for (a_open, a_close), (b_open, b_close) in zip(spans, spans[1:], strict=False):
        if b_open < a_close:
            first, second = spans_text([(a_open, a_close)]), spans_text([(b_open, b_close)])
            raise forms.ValidationError(SPANS_OVERLAP, params={"first": first, "second": second})
    return spans


class DaySpansField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        widget = UnfoldAdminTextInputWidget(attrs={"placeholder": _("closed")})
        super().__init__(required=False, widget=widget, **kwargs)

    def clean(self, value: Any) -> list[tuple[time, time]]:
        return spans_parse(super().clean(value))


class WeekHoursFormMixin(forms.Form):
    """The week's fields on the branch form (`week_hours()` after validation, `week_initial` to fill)."""

    copy_to_workdays = forms.BooleanField(
        widget=UnfoldBooleanSwitchWidget,
        label=_("Copy Monday to Mon–Fri"),
        required=False,
        help_text=_("When saving, Tuesday to Friday get Monday's hours."),
    )

    def week_hours(self) -> Week:
        week = {day: self.cleaned_data.get(day_field_name(day)) or [] for day, _label in WEEKDAYS}
        if self.cleaned_data.get("copy_to_workdays"):
            week.update({day: list(week[0]) for day in WORKDAYS})
        return week


for _day, _label in WEEKDAYS:
    WeekHoursFormMixin.base_fields[day_field_name(_day)] = DaySpansField(
        label=_label, help_text=DAY_HELP if _day == 0 else ""
    )
    WeekHoursFormMixin.declared_fields[day_field_name(_day)] = WeekHoursFormMixin.base_fields[
        day_field_name(_day)
    ]

WEEK_FIELDS = [day_field_name(day) for day, _label in WEEKDAYS] + ["copy_to_workdays"]


def week_initial(branch: Branch) -> dict[str, str]:
    """The grid's text for the branch's stored rows."""
    week: Week = {}
    for row in branch.opening_hours.all():
        week.setdefault(row.weekday, []).append((row.opens, row.closes))
    return {day_field_name(day): spans_text(week.get(day, [])) for day, _label in WEEKDAYS}
