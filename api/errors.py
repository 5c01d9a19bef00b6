"""One shape for every error: `{"code": ..., "message": ..., "details": {field: [messages]}}`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler

NON_FIELD = "non_field_errors"


def _details(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {field: _messages(value) for field, value in detail.items()}
    return {NON_FIELD: _messages(detail)} if isinstance(detail, list) else {}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def _from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({NON_FIELD: exc.messages})


def _code(exc: Exception) -> str:
    """A refused rule keeps its code (`invalid_transition`, `not_assigned`, …); other input is `invalid`."""
    if isinstance(exc, DjangoValidationError):
        return getattr(exc, "code", None) or "invalid"
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    return exc.default_code


def api_exception_handler(exc, context):
    """Services raise Django's ValidationError (a refused rule): a 400 like any invalid input."""
    code = _code(exc) if isinstance(exc, DjangoValidationError) else None
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail
    # An exception may say in one sentence what its details list (`summary`), else the one message is it.
    message = getattr(exc, "summary", None) or (detail if isinstance(detail, str) else _first_message(detail))
    response.data = {"code": code or _code(exc), "message": str(message), "details": _details(detail)}
    return response


def _first_message(detail) -> str:
    messages = _messages(detail)
    return messages[0] if len(messages) == 1 else "The request is not valid."


@csrf_exempt  # a POST to an unknown path is still a 404, and the API has no cookies to protect
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/v1/ answers in the error shape, not with the HTML 404 page."""
    body = {"code": "not_found", "message": str(exceptions.NotFound.default_detail), "details": {}}
    return JsonResponse(body, status=404)
