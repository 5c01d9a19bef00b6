"""Every log line says which request, company, user and task it belongs to; production writes JSON."""

import io
import json
import logging

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from common.logs import REQUEST_ID_HEADER, LogContextFilter
from config.celery import app
from tests.factories.org import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """What the production formatter writes for the `switchboard.probe` and `django.request` loggers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    options = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(LogContextFilter())
    loggers = [logging.getLogger("switchboard.probe"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_the_callers_request_id_is_kept_and_echoed(public_client):
    response = public_client.get("/healthz", HTTP_X_REQUEST_ID="lb-4f2a9c1e")
    assert response[REQUEST_ID_HEADER] == "lb-4f2a9c1e"


def test_a_request_without_a_plain_id_gets_a_fresh_one(public_client):
    response = public_client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(response[REQUEST_ID_HEADER]) == 32
    assert response[REQUEST_ID_HEADER] != public_client.get("/healthz")[REQUEST_ID_HEADER]


def test_a_json_line_names_request_company_and_user(tenant_client, json_lines):
    user = UserFactory()
    tenant_client.force_login(user)
    tenant_client.get("/no-such-page", HTTP_X_REQUEST_ID="req-00000001")

    line = json_lines()[-1]
    assert {"time", "level", "logger", "message"} <= line.keys()
    assert (line["level"], line["logger"]) == ("WARNING", "django.request")
    assert (line["request_id"], line["company"], line["user_id"]) == ("req-00000001", "acme", user.pk)


@app.task(name="tests.ops.log_probe")
def log_probe() -> None:
    logging.getLogger("switchboard.probe").warning("inside a task")


def test_a_json_line_written_in_a_task_names_the_task(json_lines):
    log_probe.apply(task_id="task-0042")
    assert json_lines()[-1]["task_id"] == "task-0042"
    assert json_lines()[-1]["message"] == "inside a task"
