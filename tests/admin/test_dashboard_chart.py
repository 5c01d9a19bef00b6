"""The dashboard's daily chart: server-rendered SVG with a date axis and a count axis."""

import re

from django.core.cache import cache

from callbacks.chart import daily_chart, nice_top
from tests.factories.callbacks import CallbackRequestFactory


def test_nice_top_rounds_up_to_one_two_or_five():
    assert [nice_top(n) for n in (0, 1, 2, 3, 7, 11, 40, 51)] == [1, 1, 2, 5, 10, 20, 50, 100]


def test_the_date_axis_labels_every_fifth_day_and_the_last():
    days = [{"day": f"2026-03-{d:02d}", "created": d, "assigned": 0, "completed": 1} for d in range(1, 31)]

    chart = daily_chart(days)

    assert [label["text"] for label in chart.x_labels] == [
        "01.03.",
        "06.03.",
        "11.03.",
        "16.03.",
        "21.03.",
        "26.03.",
        "30.03.",
    ]
    assert [tick["value"] for tick in chart.y_ticks] == [0, 25, 50]
    tallest = max(chart.bars, key=lambda bar: bar["height"])
    assert tallest["value"] == 30 and tallest["y"] >= chart.y_ticks[-1]["y"]
    assert all(bar["y"] + bar["height"] == chart.baseline for bar in chart.bars if bar["height"])


def test_the_dashboard_draws_the_chart_with_its_axes(as_user, ada, mitte):
    CallbackRequestFactory(branch=mitte)
    cache.clear()

    html = as_user(ada).get("/admin/").content.decode()

    svg = html[html.index('data-testid="chart-svg"') : html.index("</svg>")]
    assert len(re.findall(r'data-axis="x">\d\d\.\d\d\.<', svg)) == 7
    assert 'data-axis="y">0<' in svg and 'data-axis="y">1<' in svg
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+"', svg)  # decimal points, not the German comma
