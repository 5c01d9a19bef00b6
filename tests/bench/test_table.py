"""The bench's table: ratio to the floor, goals met or MISSED (never dropped), the JSON written."""

import json

from scripts.bench.table import Goal, Row, render, write_json


def test_ratio_is_throughput_over_the_floor_of_the_same_run():
    row = Row("intake", "100 conn", throughput=70.0, floor=100.0)

    assert row.ratio == 0.7
    assert Row("floor", "100 conn", throughput=100.0).ratio is None


def test_a_goal_is_met_or_missed_and_an_unmeasured_goal_is_missed():
    met = Row("intake", "100 conn", throughput=70.0, floor=100.0, goals=[Goal("ratio", ">=", 0.7)])
    missed = Row("intake", "8 conn", p99_ms=51.0, goals=[Goal("p99_ms", "<", 50, " ms")])
    unmeasured = Row("intake", "8 conn", goals=[Goal("p99_ms", "<", 50, " ms")])
    counted = Row("once", "-", goals=[Goal("lost", "==", 0)], extra={"lost": 0})

    assert [met.verdict(), missed.verdict(), unmeasured.verdict(), counted.verdict()] == [
        "met",
        "MISSED",
        "MISSED",
        "met",
    ]
    assert Row("floor", "100 conn").verdict() == "-"


def test_the_table_prints_every_row_with_its_goal_and_verdict(tmp_path):
    rows = [
        Row("floor", "100 conn", p50_ms=5, p95_ms=9, p99_ms=12, throughput=500.0),
        Row("intake", "100 conn", throughput=100.0, floor=500.0, goals=[Goal("ratio", ">=", 0.7)]),
    ]

    text = render(rows)
    write_json(rows, tmp_path / "bench.json", machine="test")

    lines = text.splitlines()
    assert lines[0].split()[:2] == ["scenario", "load"]
    assert "0.20" in lines[2] and "ratio >= 0.7" in lines[2] and lines[2].endswith("MISSED")
    assert render([Row("once", "-", goals=[Goal("lost", "==", 0)], extra={"lost": 2})]).endswith("lost=2")
    document = json.loads((tmp_path / "bench.json").read_text())
    assert document["machine"] == "test"
    assert [row["verdict"] for row in document["rows"]] == ["-", "MISSED"]
    assert document["rows"][1]["ratio"] == 0.2


def test_a_load_without_a_single_answer_misses_its_latency_goal():
    from scripts.bench.intake import row
    from scripts.bench.load import Result

    nothing = Result(0, 5.0, 0, 0.0, 0.0, 0.0, 0.0, unique=4, answered_ok=0)

    assert row("admin", "4 conn", nothing, None, [Goal("p95_ms", "<", 150)]).verdict() == "MISSED"
