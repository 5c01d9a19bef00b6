"""The shipped Prometheus rules and Grafana dashboard are valid and only use metrics /metrics exports."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import Counter, Histogram

from common import metrics
from tenants.metrics import CeleryQueueCollector

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "switchboard.json"
PROMETHEUS_OWN = {"up"}
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset"}


def exported_metric_names() -> set[str]:
    names = {gauge.name for gauge in metrics.company_gauges()}
    names |= {family.name for family in CeleryQueueCollector().collect()}
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            names.add(f"{value._name}_total")
        if isinstance(value, Histogram):
            names |= {f"{value._name}_{suffix}" for suffix in ("bucket", "sum", "count")}
    return names


def metric_names_in(expr: str) -> set[str]:
    """Series names in a PromQL expression: what is left after label matchers, ranges, groupings, strings
    and function calls are taken out."""
    expr = re.sub(r'"[^"]*"', "", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)
    return set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()", expr)) - PROMQL_WORDS


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="apt-get install prometheus")
def test_alert_rules_pass_promtool():
    result = subprocess.run(["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_cover_the_seeds_conditions():
    names = {rule["alert"] for rule in alert_rules()}
    assert {
        "CallbackSlaBreachRateCritical",
        "CeleryQueueDeep",
        "CallbackAssignmentFailureRateHigh",
        "NoCallbacksAssignedDuringBusinessHours",
        "InboundWebhookFailures",
    } <= names


@pytest.mark.django_db
def test_alert_rules_use_only_metrics_we_export():
    exported = exported_metric_names() | PROMETHEUS_OWN
    for rule in alert_rules():
        assert metric_names_in(rule["expr"]) <= exported, rule["alert"]


@pytest.mark.django_db
def test_every_dashboard_panel_queries_metrics_we_export():
    dashboard = json.loads(DASHBOARD.read_text())
    exported = exported_metric_names()
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert {"Pending", "Overdue", "Today", "SLA", "Callback Volume (Last 24h)"} <= {
        p["title"] for p in panels
    }
    for panel in panels:
        names = set().union(*(metric_names_in(target["expr"]) for target in panel["targets"]))
        assert names, panel["title"]
        assert names <= exported, panel["title"]
