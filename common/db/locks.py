"""Advisory locks that hold across statements run outside a transaction, also behind PgBouncer.

A session advisory lock (`pg_advisory_lock`) on Django's connection is taken on whichever server connection
PgBouncer lends for that one statement, and the unlock may run on another one (docs/scaling.md). These
locks are transaction-scoped instead, held in an open transaction on a connection of their own (one per
thread, kept open): the work under the lock runs on Django's connection as before -- outside a transaction
where it must not hold one while Cal.com answers -- and the lock ends when its transaction ends, or with
its connection when the process dies, so a killed worker never leaves a claim behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connections

_local = threading.local()


def _lock_connection(*, fresh: bool = False) -> psycopg.Connection:
    held = getattr(_local, "connection", None)
    if fresh or held is None or held.closed or held.broken:
        if held is not None:
            held.close()
        params = connections["default"].get_connection_params()
        held = _local.connection = psycopg.connect(**params, autocommit=False)
    return held


def _take(key: str, *, wait: bool) -> tuple[psycopg.Connection, bool]:
    """The lock's connection and whether the lock is now held; a connection found dead (the database
    restarted since its last lock) is replaced once."""
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    query = f"SELECT {function}(hashtextextended(%s, 0))"
    try:
        connection = _lock_connection()
        row = connection.execute(query, [key]).fetchone()
    except psycopg.OperationalError:
        connection = _lock_connection(fresh=True)
        row = connection.execute(query, [key]).fetchone()
    return connection, wait or bool(row and row[0])


@contextmanager
def advisory_lock(key: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold the lock named `key` for the block; yields whether it is held. With wait=False it is not
    waited for: the block runs at once and learns False when someone else holds it."""
    connection, held = _take(key, wait=wait)
    try:
        yield held
    finally:
        if not connection.closed:
            connection.rollback()  # ends the lock's transaction: releases it
