"""The company's schema travels inside each transaction (common.db.backend) and advisory locks hold across
statements without a session lock (common.db.locks): what PgBouncer in transaction pooling needs
(docs/scaling.md; the whole stack behind a real pgbouncer is tests/ops/test_pgbouncer.py)."""

import threading

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from common.db.locks import advisory_lock


def _search_path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        return cursor.fetchone()[0]


def _sets_schema(sql: str) -> bool:
    return sql.startswith("SET LOCAL search_path")


def test_in_a_transaction_the_schema_is_sent_once_and_again_after_each_switch(companies):
    acme, globex = companies["acme"], companies["globex"]
    connection.set_schema_to_public()
    _search_path()
    with CaptureQueriesContext(connection) as queries:
        connection.set_tenant(acme)
        seen = [_search_path(), _search_path()]
        with tenant_context(globex):
            seen.append(_search_path())
        seen.append(_search_path())

    assert seen == ["acme, public", "acme, public", "globex, public", "acme, public"]
    assert [_sets_schema(query["sql"]) for query in queries.captured_queries] == [True, False, True, True]


def test_a_rollback_to_a_savepoint_undoes_the_schema_set_after_it_and_the_next_statement_sets_it_again(
    companies,
):
    connection.set_schema_to_public()
    _search_path()
    with pytest.raises(RuntimeError), transaction.atomic():
        connection.set_tenant(companies["acme"])
        assert _search_path() == "acme, public"
        raise RuntimeError  # ROLLBACK TO SAVEPOINT: the database is back in public

    assert _search_path() == "acme, public"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_every_statement_carries_the_schema_and_leaves_none_on_the_connection(
    companies,
):
    with tenant_context(companies["acme"]), CaptureQueriesContext(connection) as queries:
        seen = [_search_path(), _search_path()]
        session = connection.connection.execute("SHOW search_path").fetchone()[0]

    assert seen == ["acme, public", "acme, public"]
    assert all(_sets_schema(query["sql"]) for query in queries.captured_queries)
    assert session == '"$user", public'  # what the next client of a pooled server connection finds


def test_an_advisory_lock_is_held_until_its_block_ends_and_a_try_learns_it_is_taken():
    held, release, tried = threading.Event(), threading.Event(), []

    def holder() -> None:
        with advisory_lock("test:held"):
            held.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(timeout=30)
    with advisory_lock("test:held", wait=False) as claimed:
        tried.append(claimed)
    release.set()
    thread.join(timeout=30)
    with advisory_lock("test:held", wait=False) as claimed:
        tried.append(claimed)

    assert tried == [False, True]


def test_an_advisory_lock_survives_a_database_restart_of_its_connection():
    """A lock connection found dead (here: terminated, as by a restart) is replaced, not an error."""
    with advisory_lock("test:restart"):
        pass
    from common.db import locks

    pid = locks._local.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with advisory_lock("test:restart", wait=False) as claimed:
        assert claimed


def test_a_server_side_cursor_reads_the_companys_schema(companies):
    """`QuerySet.iterator()` declares a named cursor, which cannot carry the SET: it gets one of its own."""
    with tenant_context(companies["globex"]), connection.chunked_cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        assert cursor.fetchone()[0] == "globex, public"


def test_executemany_runs_each_statement_in_the_companys_schema(companies):
    from org.models import Branch
    from tests.factories.org import BranchFactory

    with tenant_context(companies["globex"]):
        branches = [BranchFactory(name="Nord"), BranchFactory(name="Süd")]
        connection.set_schema_to_public()
        connection.cursor().execute("SELECT 1")  # the transaction is in public now
        connection.set_tenant(companies["globex"])
        with connection.cursor() as cursor:
            renames = [(f"{branch.name} 2", branch.pk) for branch in branches]
            cursor.executemany("UPDATE org_branch SET name = %s WHERE id = %s", renames)
        names = set(Branch.objects.filter(pk__in=[b.pk for b in branches]).values_list("name", flat=True))

    assert names == {"Nord 2", "Süd 2"}
