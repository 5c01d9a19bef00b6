"""A request that fails because the database is gone answers 503 with Retry-After; other errors stay 500.

The exception is converted into a response by Django's own handler (`convert_exception_to_response`, as
around every middleware), the way it happens when CompanyMiddleware's tenant lookup hits a dead database.
The real thing, a restarted PostgreSQL under load, is the drill tests/drills/test_postgres_restart.py.
"""

import json

import pytest
from django.core.handlers.exception import convert_exception_to_response
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from common.unavailable import DATABASE_UNAVAILABLE, DatabaseUnavailableMiddleware


def answer_when_the_inner_layer_raises(error: Exception, settings):
    settings.DEBUG = False

    def inner(request):
        raise error

    handler = DatabaseUnavailableMiddleware(convert_exception_to_response(inner))
    return handler(RequestFactory().post("/webhooks/retell/", HTTP_HOST="localhost"))


@pytest.mark.parametrize(
    "error",
    [OperationalError("connection to server failed: refused"), InterfaceError("connection closed")],
)
def test_a_dead_database_answers_503_with_retry_after_and_a_json_error(error, settings):
    settings.DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 7
    response = answer_when_the_inner_layer_raises(error, settings)
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert json.loads(response.content) == {"error": DATABASE_UNAVAILABLE}


def test_any_other_error_stays_a_500(settings):
    response = answer_when_the_inner_layer_raises(ValueError("a bug of ours"), settings)
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
