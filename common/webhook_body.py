"""The strict reader every public endpoint uses before it looks at a body (issue 14).

Anything a stranger can post must end in a 4xx naming the problem, never a 500 and never half a write:
the size is capped (413), the content type is the one the sender documents (415), JSON is parsed without
duplicate keys (last-wins let a repeated `to_number` route an event into another company's schema), without
NaN/Infinity or lone surrogates (PostgreSQL rejects them mid-write), with a nesting limit checked before
`json.loads` recurses, and without NUL characters (no text or jsonb column accepts them). String lengths
are checked against the columns they go into, so nothing fails later in a worker for ever.
"""

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, JsonResponse

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MAX_DEPTH = 32

BODY_TOO_LARGE = "The body is larger than {limit} bytes."
WRONG_CONTENT_TYPE = "The body must be sent as {expected} (UTF-8)."
MALFORMED_JSON = "The body is not valid JSON."
NOT_AN_OBJECT = "The body must be a JSON object."
TOO_DEEP = "The body is nested deeper than {limit} levels."
DUPLICATE_KEY = "The key {key} appears more than once."
NOT_A_NUMBER = "Numbers must be finite (no NaN or Infinity)."
NUL_CHARACTER = "Text must not contain NUL characters."
BAD_UNICODE = "Text must be valid Unicode (no lone surrogates)."
NOT_TEXT = "Field {field} must be a string."
TOO_LONG = "Field {field} is longer than {limit} characters."

# A JSON string, escapes included: the unrolled-loop form, so the regex engine never backtracks deeply.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class BodyRejected(Exception):
    """The request cannot be used; answered with `status` and `{"error": ..., "field": ...}`."""

    def __init__(self, status: int, error: str, field: str = "") -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.field = field


def rejection_response(rejection: BodyRejected) -> JsonResponse:
    return JsonResponse({"error": rejection.error, "field": rejection.field}, status=rejection.status)


def max_length(model: type[Model], field_name: str) -> int:
    """The column's own limit, so the endpoints never repeat a number the model already states."""
    return model._meta.get_field(field_name).max_length


def read_raw(request: HttpRequest, *, max_bytes: int, content_type: str = JSON) -> bytes:
    """The raw bytes (for signatures), read with our own limit, after the content type and headers."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise BodyRejected(413, BODY_TOO_LARGE.format(limit=max_bytes))
    _check_content_type(request, content_type)
    _check_headers(request)
    raw = request.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise BodyRejected(413, BODY_TOO_LARGE.format(limit=max_bytes))
    return raw


def _check_content_type(request: HttpRequest, expected: str) -> None:
    charset = request.content_params.get("charset", "utf-8").lower()
    if request.content_type != expected or charset not in ("utf-8", "utf8"):
        raise BodyRejected(415, WRONG_CONTENT_TYPE.format(expected=expected), "Content-Type")


def _check_headers(request: HttpRequest) -> None:
    """Some headers are kept with the stored event (jsonb): a NUL there would fail the write."""
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            raise BodyRejected(400, NUL_CHARACTER, name.removeprefix("HTTP_").replace("_", "-").title())


def parse_json_object(raw: bytes, *, limits: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The body as a dict, or BodyRejected(400) naming the first problem found."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyRejected(400, MALFORMED_JSON) from error
    _check_depth(raw)
    try:
        body = json.loads(
            text, object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_float=_finite
        )
    except RecursionError as error:  # the depth scan should have caught it; never a 500 if it did not
        raise BodyRejected(400, TOO_DEEP.format(limit=MAX_DEPTH)) from error
    except ValueError as error:
        raise BodyRejected(400, MALFORMED_JSON) from error
    if not isinstance(body, dict):
        raise BodyRejected(400, NOT_AN_OBJECT)
    check_text(body)
    check_lengths(body, limits or {})
    return body


def _check_depth(raw: bytes) -> None:
    """Count brackets outside strings; `json.loads` itself recurses once per level."""
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", raw)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > MAX_DEPTH:
            raise BodyRejected(400, TOO_DEEP.format(limit=MAX_DEPTH))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in pairs:
        if key in body:
            raise BodyRejected(400, DUPLICATE_KEY.format(key=key[:64]), key[:64])
        body[key] = value
    return body


def _no_constant(name: str) -> None:
    raise BodyRejected(400, NOT_A_NUMBER)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses to inf
        raise BodyRejected(400, NOT_A_NUMBER)
    return value


def check_text(value: Any, path: str = "") -> None:
    """Every key and string in the body: no NUL, no lone surrogate (the depth is bounded already)."""
    for where, text in _strings(value, path):
        if "\x00" in text:
            raise BodyRejected(400, NUL_CHARACTER, where)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise BodyRejected(400, BAD_UNICODE, where) from error


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            yield where, key
            yield from _strings(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}")


def check_lengths(body: Mapping[str, Any], limits: Mapping[str, int]) -> None:
    """`limits` maps dotted paths ("call.call_id") to the column's max_length; absent or null is fine."""
    for path, limit in limits.items():
        value = _at(body, path)
        if value is None:
            continue
        if not isinstance(value, str):
            raise BodyRejected(400, NOT_TEXT.format(field=path), path)
        if len(value) > limit:
            raise BodyRejected(400, TOO_LONG.format(field=path, limit=limit), path)


def _at(body: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(body, dict):
            body = body.get(part)
        elif isinstance(body, list) and part.isdigit() and int(part) < len(body):
            body = body[int(part)]
        else:
            return None
    return body


def check_form(fields: Mapping[str, str], limits: Mapping[str, int]) -> None:
    """Form bodies (Twilio): the same NUL and length rules, field by field."""
    for name, value in fields.items():
        if "\x00" in name or "\x00" in value:
            raise BodyRejected(400, NUL_CHARACTER, name.replace("\x00", ""))
    check_lengths(fields, limits)
