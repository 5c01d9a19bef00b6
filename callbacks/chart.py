"""The dashboard's daily chart as server-rendered SVG geometry: grouped bars per day, a date axis
(dd.mm. every few days and on the last day) and a count axis with round ticks. No JavaScript; the template
draws the shapes (`templates/admin/index.html`)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, BOTTOM, TOP = 36, 16, 24, 8
SERIES = (("created", "#2563eb"), ("assigned", "#f59e0b"), ("completed", "#16a34a"))
LABEL_EVERY = 5


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    bars: list[dict[str, Any]] = field(default_factory=list)
    x_labels: list[dict[str, Any]] = field(default_factory=list)
    y_ticks: list[dict[str, Any]] = field(default_factory=list)


def nice_top(peak: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `peak` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= peak:
                return factor * step
        step *= 10


def daily_chart(days: list[dict[str, Any]]) -> Chart:
    """`days`: rows with `day` (ISO date) and one count per series, oldest first."""
    chart = Chart()
    top = nice_top(max((day[key] for day in days for key, _colour in SERIES), default=0))
    plot = chart.baseline - TOP
    ticks = [0, top // 2, top] if top % 2 == 0 else [0, top]
    chart.y_ticks = [{"value": value, "y": round(chart.baseline - plot * value / top, 1)} for value in ticks]
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = slot * 0.8 / len(SERIES)
    for index, day in enumerate(days):
        x0 = LEFT + index * slot + slot * 0.1
        when = date.fromisoformat(day["day"])
        for position, (key, colour) in enumerate(SERIES):
            height = plot * day[key] / top
            chart.bars.append(
                {
                    "x": round(x0 + position * bar, 1),
                    "y": round(chart.baseline - height, 1),
                    "width": round(bar, 1),
                    "height": round(height, 1),
                    "colour": colour,
                    "series": key,
                    "value": day[key],
                    "day": when,
                }
            )
        if index % LABEL_EVERY == 0 or index == len(days) - 1:
            chart.x_labels.append(
                {"x": round(LEFT + (index + 0.5) * slot, 1), "text": when.strftime("%d.%m.")}
            )
    return chart
