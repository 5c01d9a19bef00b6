"""OpenAPI post-processing: every operation documents the one error shape (api.errors) for 4XX answers."""

ERROR = {
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
ERROR_RESPONSE = {
    "description": "The request was refused: invalid input, a refused rule, no or wrong key, throttled.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation["responses"].setdefault("4XX", ERROR_RESPONSE)
    return result
