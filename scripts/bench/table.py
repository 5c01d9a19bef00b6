"""The one table of `make bench`: a row per measurement, its floor, the ratio, the goal and met/MISSED.

A goal is a comparison of one measured number with a limit; a row without a goal is context (the floor).
A miss is printed as MISSED and written to the JSON like any other row, never dropped.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Goal:
    """`measure` `op` `limit`, e.g. Goal("p99_ms", "<", 50) or Goal("ratio", ">=", 0.7)."""

    measure: str
    op: str
    limit: float
    unit: str = ""

    def text(self) -> str:
        return f"{self.measure} {self.op} {self.limit:g}{self.unit}"

    def met(self, row: Row) -> bool | None:
        """None when the row has no value for the measure (the run could not measure it)."""
        value = getattr(row, self.measure, None)
        if value is None:
            value = row.extra.get(self.measure)
        if value is None:
            return None
        return _COMPARE[self.op](value, self.limit)


@dataclass
class Row:
    scenario: str
    load: str
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    throughput: float | None = None  # requests per second
    requests: int = 0
    errors: int = 0
    floor: float | None = None  # the floor's requests per second in the same run
    goals: list[Goal] = field(default_factory=list)
    extra: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.throughput is None or not self.floor:
            return None
        return self.throughput / self.floor

    def verdict(self) -> str:
        """met / MISSED over all goals; "-" for a row without goals; MISSED if any goal could not be
        measured (a number we could not get is not a goal met)."""
        if not self.goals:
            return "-"
        results = [goal.met(self) for goal in self.goals]
        return "met" if all(result is True for result in results) else "MISSED"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["goals"] = [goal.text() for goal in self.goals]
        data["ratio"] = self.ratio
        data["verdict"] = self.verdict()
        return data


COLUMNS = [
    ("scenario", 34),
    ("load", 22),
    ("p50 ms", 8),
    ("p95 ms", 8),
    ("p99 ms", 8),
    ("req/s", 8),
    ("errors", 7),
    ("floor/s", 8),
    ("ratio", 6),
    ("goal", 30),
    ("", 6),
    ("measured", 0),
]


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _cells(row: Row) -> list[str]:
    return [
        row.scenario,
        row.load,
        _number(row.p50_ms),
        _number(row.p95_ms),
        _number(row.p99_ms),
        _number(row.throughput),
        str(row.errors),
        _number(row.floor),
        _number(row.ratio, 2),
        ", ".join(goal.text() for goal in row.goals) or "-",
        row.verdict(),
        _measured(row),
    ]


def _measured(row: Row) -> str:
    """The values of goals that have no column of their own (page size, query counts, lost events)."""
    return ", ".join(
        f"{goal.measure}={row.extra[goal.measure]}" for goal in row.goals if goal.measure in row.extra
    )


def render(rows: list[Row]) -> str:
    """The table as text: a header line and a line per row, each column as wide as its widest cell."""
    table = [[name for name, _ in COLUMNS], *(_cells(row) for row in rows)]
    widths = [max(width, *(len(line[index]) for line in table)) for index, (_, width) in enumerate(COLUMNS)]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in table)
    return "\n".join(line.rstrip() for line in lines)


def write_json(rows: list[Row], path: Path, **context: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**context, "rows": [row.as_dict() for row in rows]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
