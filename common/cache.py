"""Keys for raw Redis use: always prefixed with the current schema, like Django's cache keys."""

from django.db import connection


def tenant_key(*parts: object) -> str:
    return ":".join(["sb", connection.schema_name, *(str(p) for p in parts)])
