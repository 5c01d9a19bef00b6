"""Cloning a schema from PostgreSQL's catalog: its tables, rows, sequences, constraints and indexes.

django-tenants' clone_schema() (a PL/pgSQL function) does the same, but reads the catalog object by object
through information_schema: about 1.6 s of database CPU per clone of our schema, growing with every schema
the database holds, where running the statements alone costs about 0.5 s. So the statements are read once
per state of the source (`blueprint_read`, cached by the caller) and each clone runs them in one round
trip (`schema_clone`). Names are written unqualified: PostgreSQL's catalog functions leave out the schema
of what is on the search path, so the statements are read with only the source on it and run with only the
new schema on it (pg_get_indexdef() alone names the table's schema, which is taken out).

What this does not know how to copy (views, functions, triggers, types, partitioned or inherited tables,
generated columns, sequences no identity column owns) makes `blueprint_read` raise `CloneUnsupported`;
the caller then uses django-tenants' clone_schema().
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django_tenants.utils import quote_schema_name


class CloneUnsupported(Exception):
    """The source holds an object the blueprint cannot copy."""


@dataclass(frozen=True)
class Blueprint:
    """The statements that rebuild a schema, in order: tables, then (after the rows are copied) the
    constraints and indexes, foreign keys last."""

    tables: tuple[str, ...]
    tables_with_rows: tuple[str, ...]
    constraints_and_indexes: tuple[str, ...]


_UNSUPPORTED = """
SELECT 'relation ' || c.relname || ' of kind ' || c.relkind::text FROM pg_class c
 WHERE c.relnamespace = %(ns)s AND c.relkind NOT IN ('r', 'S', 'i')
UNION ALL SELECT 'inherited table ' || i.inhrelid::regclass::text FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relnamespace = %(ns)s
UNION ALL SELECT 'function ' || p.proname FROM pg_proc p WHERE p.pronamespace = %(ns)s
UNION ALL SELECT 'type ' || t.typname FROM pg_type t
 WHERE t.typnamespace = %(ns)s AND t.typtype <> 'c' AND t.typelem = 0 AND t.typrelid = 0
UNION ALL SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = %(ns)s AND NOT t.tgisinternal
UNION ALL SELECT 'generated column ' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = %(ns)s AND a.attgenerated <> '' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL SELECT 'identity column always generated ' || a.attname FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = %(ns)s AND a.attidentity = 'a'
UNION ALL SELECT 'sequence ' || s.relname || ' owned by no identity column' FROM pg_class s
 WHERE s.relnamespace = %(ns)s AND s.relkind = 'S' AND NOT EXISTS (
   SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype = 'i')
"""

_COLUMNS = """
SELECT c.oid, quote_ident(c.relname), quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity,
       CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(co.collname) END,
       quote_ident(s.relname), q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum
       AND dep.deptype = 'i' AND dep.classid = 'pg_class'::regclass
  LEFT JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
  LEFT JOIN pg_sequence q ON q.seqrelid = s.oid
 WHERE c.relnamespace = %(ns)s AND c.relkind = 'r'
 ORDER BY c.relname, a.attnum
"""

# Constraints before indexes (a unique constraint makes its own), foreign keys last (their target's key
# must exist); within a kind by table and name, so the order is stable.
_CONSTRAINTS = """
SELECT 'ALTER TABLE ' || quote_ident(c.relname) || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' '
       || pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
 WHERE k.connamespace = %(ns)s AND k.contype <> 'f'
 ORDER BY c.relname, k.conname
"""

# pg_get_indexdef() names the table with its schema whatever the search path: " ON schema.table USING ",
# once in each definition, becomes " ON table USING ".
_INDEXES = """
SELECT replace(pg_get_indexdef(i.indexrelid),
               ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' USING ',
               ' ON ' || quote_ident(c.relname) || ' USING ')
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ic.relnamespace = %(ns)s AND NOT EXISTS (
   SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
      AND k.contype IN ('p', 'u', 'x'))
 ORDER BY ic.relname
"""

_FOREIGN_KEYS = _CONSTRAINTS.replace("k.contype <> 'f'", "k.contype = 'f'")


@contextmanager
def _only_on_search_path(schema: str) -> Iterator[CursorWrapper]:
    """A cursor whose statements see only `schema` (and pg_catalog); the connection's schema after."""
    tenant = connection.tenant
    connection.set_schema(schema, include_public=False)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        if tenant is None:
            connection.set_schema_to_public()
        else:
            connection.set_tenant(tenant)


def blueprint_read(source: str) -> Blueprint:
    """The statements that rebuild `source`, read from the catalog (a few queries)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regnamespace(%s)::oid", [source])
        namespace = cursor.fetchone()[0]
    if namespace is None:
        raise CloneUnsupported(f"schema {source} does not exist")
    params = {"ns": namespace}
    with _only_on_search_path(source) as cursor:
        cursor.execute(_UNSUPPORTED, params)
        unsupported = [row[0] for row in cursor.fetchall()]
        if unsupported:
            raise CloneUnsupported(", ".join(unsupported))
        cursor.execute(_COLUMNS, params)
        tables = _create_tables(cursor.fetchall())
        cursor.execute(_CONSTRAINTS, params)
        statements = [row[0] for row in cursor.fetchall()]
        cursor.execute(_INDEXES, params)
        statements += [row[0] for row in cursor.fetchall()]
        cursor.execute(_FOREIGN_KEYS, params)
        statements += [row[0] for row in cursor.fetchall()]
        with_rows = _tables_with_rows(cursor, list(tables))
    return Blueprint(tuple(tables.values()), with_rows, tuple(statements))


def _create_tables(columns: list[tuple]) -> dict[str, str]:
    """CREATE TABLE per table (by its quoted name), from the rows of _COLUMNS."""
    definitions: dict[str, list[str]] = {}
    for _oid, table, name, type_, not_null, default, identity, collation, *sequence in columns:
        parts = [name, type_]
        if collation:
            parts.append(f"COLLATE {collation}")
        if identity:
            parts.append(_identity(*sequence))
        elif default is not None:
            parts.append(f"DEFAULT {default}")
        if not_null:
            parts.append("NOT NULL")
        definitions.setdefault(table, []).append(" ".join(parts))
    return {table: f"CREATE TABLE {table} ({', '.join(cols)})" for table, cols in definitions.items()}


def _identity(name: str, start: int, increment: int, low: int, high: int, cache: int, cycle: bool) -> str:
    options = f"SEQUENCE NAME {name} START WITH {start} INCREMENT BY {increment} MINVALUE {low}"
    options += f" MAXVALUE {high} CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}"
    return f"GENERATED BY DEFAULT AS IDENTITY ({options})"


def _tables_with_rows(cursor: CursorWrapper, tables: list[str]) -> tuple[str, ...]:
    if not tables:
        return ()
    cursor.execute(
        " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT FROM {table})" for table in tables), tables
    )
    return tuple(row[0] for row in cursor.fetchall())


def schema_clone(blueprint: Blueprint, source: str, target: str) -> None:
    """Create schema `target` as a copy of `source` (as the blueprint read it): its tables, their rows,
    the sequences where the source's are, its constraints and indexes. One round trip."""
    quoted_source, quoted_target = quote_schema_name(source), quote_schema_name(target)
    copies = [
        f"INSERT INTO {table} SELECT * FROM {quoted_source}.{table}" for table in blueprint.tables_with_rows
    ]
    # Each sequence where the source's is: the rows copied keep their ids, new rows follow them.
    sequences = (
        f"SELECT setval(format('%I.%I', {_literal(target)}, s.sequencename), s.last_value)"
        f" FROM pg_sequences s WHERE s.schemaname = {_literal(source)} AND s.last_value IS NOT NULL"
    )
    batch = [
        f"CREATE SCHEMA {quoted_target}",
        *blueprint.tables,
        *copies,
        sequences,
        *blueprint.constraints_and_indexes,
    ]
    with _only_on_search_path(target) as cursor:
        cursor.execute(";\n".join(batch))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
