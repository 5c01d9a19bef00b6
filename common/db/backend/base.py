"""django-tenants' PostgreSQL backend, with the schema set inside each transaction instead of per connection.

django-tenants sends `SET search_path` as a statement of its own before every cursor and trusts it for the
rest of the connection's session. Behind PgBouncer in transaction pooling a session is not ours: consecutive
transactions of one Django connection run on different server connections, so a statement could run in the
schema another client left behind -- another company's (docs/scaling.md, "PgBouncer").

Here the schema travels with the statement: `SET LOCAL search_path = ...; <statement>` in one simple-query
message (psycopg 3's client-side binding cursor, Django's default, sends it that way), so PostgreSQL runs both
in one transaction on one server connection. Inside an explicit transaction only the transaction's first
statement carries it (and any after a change of schema or a rollback to a savepoint); outside one, every
statement does. `SET LOCAL` ends with its transaction: nothing is left on a server connection for the next
client. It also costs fewer round trips than django-tenants' separate `SET` per cursor, so every deployment
uses this backend, with PgBouncer or without.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends import utils
from django.db.backends.postgresql.base import CursorDebugWrapper as PostgresCursorDebugWrapper
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.utils import quote_schema_name
from psycopg import pq, sql

# Statements PostgreSQL refuses inside a transaction block, which a multi-statement message is. They get
# the schema from a session `SET` sent just before: correct on a direct connection only, which is where
# migrations with such statements and the test database's creation run.
_NOT_IN_A_TRANSACTION = re.compile(
    r"\s*(?:(?:CREATE|DROP)\s+(?:DATABASE|TABLESPACE)\b|VACUUM\b|ALTER\s+SYSTEM\b"
    r"|(?:CREATE|DROP)\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b|REINDEX\b[^;]*\bCONCURRENTLY\b)",
    re.IGNORECASE,
)


class SchemaPerTransaction:
    """The statements of a cursor carry the connection's schema when the transaction does not have it yet."""

    db: DatabaseWrapper
    cursor: Any

    def execute(self, query: Any, params: Any = None) -> Any:
        # A named (server-side) cursor runs one statement, its DECLARE: it got a session SET (_cursor).
        prefix = None if getattr(self.cursor, "name", None) else self.db.search_path_prefix(query, params)
        if prefix is None:
            return super().execute(query, params)
        try:
            result = super().execute(_prefixed(prefix, query), params)
        except Exception:
            self.db.forget_search_path()
            raise
        self.cursor.nextset()  # the statement's own result, not the SET's
        self.db.search_path_sent()
        return result

    def executemany(self, query: Any, param_list: Any) -> None:
        """One execute() per parameter set while the schema must travel with the statements (psycopg's own
        executemany sends extended-protocol messages, which cannot carry a SET)."""
        if not self.db.needs_search_path():
            super().executemany(query, param_list)
            return
        for params in param_list:
            self.execute(query, params)


def _prefixed(prefix: str, query: Any) -> Any:
    if isinstance(query, str):
        return prefix + query
    return sql.Composed([sql.SQL(prefix), query])


class CursorWrapper(SchemaPerTransaction, utils.CursorWrapper):
    pass


class CursorDebugWrapper(SchemaPerTransaction, PostgresCursorDebugWrapper):
    pass


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The search path the current transaction has set (SET LOCAL), None when it has set none.
        self._transaction_search_path: list[str] | None = None
        super().__init__(*args, **kwargs)
        if self.settings_dict["OPTIONS"].get("server_side_binding"):
            raise ImproperlyConfigured(
                "common.db.backend needs client-side binding cursors (OPTIONS server_side_binding off): "
                "the SET LOCAL search_path travels in the statement's simple-query message."
            )

    def make_cursor(self, cursor: Any) -> CursorWrapper:
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> CursorDebugWrapper:
        return CursorDebugWrapper(cursor, self)

    def _cursor(self, name: str | None = None) -> Any:
        # Skips django-tenants' _cursor (its separate SET per cursor); unnamed cursors set the schema in
        # execute(). A named (server-side) cursor's DECLARE cannot carry a SET: it gets a session SET first
        # (settings turn named cursors off behind transaction pooling, where a session SET would not hold).
        cursor = super(tenants_base.DatabaseWrapper, self)._cursor(name)
        if name:
            self._set_session_search_path()
        return cursor

    def needs_search_path(self) -> bool:
        """True when the next statement must set the schema: outside a transaction always (each statement
        is its own, maybe on another server connection), inside one until it has set this schema."""
        status = self.connection.info.transaction_status
        if status == pq.TransactionStatus.IDLE:
            self._transaction_search_path = None
            return True
        if status == pq.TransactionStatus.INERROR:  # only a rollback runs now; a SET would fail with it
            return False
        return self._transaction_search_path != self._get_cursor_search_paths()

    def search_path_prefix(self, query: Any, params: Any) -> str | None:
        """`SET LOCAL search_path = ...; ` to put before `query`, or None when it needs none."""
        if not self.needs_search_path():
            return None
        if isinstance(query, str) and _NOT_IN_A_TRANSACTION.match(query):
            self._set_session_search_path()
            return None
        prefix = f"SET LOCAL search_path = {self._quoted_search_path()}; "
        return prefix.replace("%", "%%") if params is not None else prefix

    def search_path_sent(self) -> None:
        """The statement with the SET LOCAL ran. In autocommit its transaction has ended already."""
        if self.connection.info.transaction_status == pq.TransactionStatus.IDLE:
            self._transaction_search_path = None
        else:
            self._transaction_search_path = self._get_cursor_search_paths()

    def forget_search_path(self) -> None:
        self._transaction_search_path = None

    def _set_session_search_path(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SET search_path = {self._quoted_search_path()}")

    def _quoted_search_path(self) -> str:
        return ",".join(quote_schema_name(schema) for schema in self._get_cursor_search_paths())

    def _commit(self) -> None:
        self.forget_search_path()
        super()._commit()

    def _rollback(self) -> None:
        self.forget_search_path()
        super()._rollback()

    def _savepoint_rollback(self, sid: str) -> None:
        # ROLLBACK TO SAVEPOINT undoes a SET LOCAL sent after the savepoint (forgotten after it: the
        # rollback's own statement may carry one, which it then undoes as well).
        try:
            super()._savepoint_rollback(sid)
        finally:
            self.forget_search_path()

    def close(self) -> None:
        self.forget_search_path()
        super().close()
