"""A new company's schema is a clone of the migrated template schema (tenants.template), not migrated.

The clone must be what migrating would have made: the same tables, columns, constraints, indexes and
sequences, the same migrations recorded, the same rows (those migrating writes: content types,
permissions, role groups, event types) and nothing else. Provisioning runs in the test transaction, so the
schemas made here are rolled back with it. How fast it is: `make bench` (scenario companies), not here.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, schema_exists, tenant_context

from org.models import Branch, Staff
from tenants.models import Company
from tenants.services import company_provision
from tenants.template import TEMPLATE_SCHEMA, migrations_expected, migrations_recorded, template_is_current

# The catalog of a schema, each object named without its schema (so two schemas compare equal).
SNAPSHOT = """
SELECT 'column', table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
       || ' default=' || coalesce(replace(column_default, %(s)s || '.', ''), '')
       || ' identity=' || coalesce(identity_generation, '')
  FROM information_schema.columns WHERE table_schema = %(s)s
UNION ALL
SELECT 'constraint', c.relname || '.' || k.conname || ' '
       || replace(pg_get_constraintdef(k.oid), %(s)s || '.', '')
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.connamespace = %(s)s::regnamespace
UNION ALL
SELECT 'index', replace(indexdef, %(s)s || '.', '') FROM pg_indexes WHERE schemaname = %(s)s
UNION ALL
SELECT 'sequence', sequencename || ' ' || data_type::text || ' start=' || start_value || ' by='
       || increment_by || ' max=' || max_value || ' last=' || coalesce(last_value::text, 'none')
  FROM pg_sequences WHERE schemaname = %(s)s
"""


# PostgreSQL reads an expression back with its casts written out ("status IN ('a')" on a varchar is kept as
# "status::text = ANY (ARRAY['a'::varchar]::text[])" and read back as "ARRAY[('a'::varchar)::text]"), as
# every restore of pg_dump does; both fold to the same constant, and the planner uses the index either way.
# So expressions are compared without their casts and parentheses.
CASTS_AND_PARENTHESES = re.compile(r"::[a-z_ ]+(\[\])?|[()\s]")


def snapshot(schema: str) -> dict[str, object]:
    """Structure, sequences, migrations recorded and row count of each table of `schema`."""
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT, {"s": schema})
        catalog = sorted(
            (kind, CASTS_AND_PARENTHESES.sub("", text) if kind in ("constraint", "index") else text)
            for kind, text in cursor.fetchall()
        )
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", [schema]
        )
        tables = [row[0] for row in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            rows[table] = cursor.fetchone()[0]
    return {"catalog": catalog, "rows": rows, "migrations": migrations_recorded(schema)}


@pytest.fixture
def scratch(public):
    """A schema migrated from scratch, as every company's was before the template."""
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "scratch"')
    call_command("migrate_schemas", tenant=True, schema_name="scratch", interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return "scratch"


@pytest.fixture
def template_behind(public):
    """The template one migration behind the code: api's last migration (a table of its own) undone."""
    call_command(
        "migrate_schemas", "api", "0001", schema_name=TEMPLATE_SCHEMA, interactive=False, verbosity=0
    )
    connection.set_schema_to_public()
    assert not template_is_current()
    return ("api", "0002_audit_trail")


def test_a_company_made_from_the_template_equals_one_migrated_from_scratch(scratch):
    company_provision(slug="zeta", name="Zahnarzt Zeta")
    cloned, migrated = snapshot("zeta"), snapshot(scratch)
    assert cloned["migrations"] == migrated["migrations"] == migrations_expected()
    assert cloned["rows"] == migrated["rows"]  # what migrating writes, nothing else (the template's own)
    assert cloned["catalog"] == migrated["catalog"]
    assert len(cloned["rows"]) > 50 and cloned["rows"]["auth_permission"] > 0


def test_the_new_company_starts_empty_its_ids_at_1_and_gets_its_own_rows(public):
    result = company_provision(slug="zeta", name="Zahnarzt Zeta", admin_email="zora@zeta.test")
    with tenant_context(result.company):
        admin = Staff.objects.get()
        assert admin.pk == 1 and admin.user.pk == 1
        assert admin.user.groups.filter(name="admin").exists()  # the role groups migrating made
        assert Branch.objects.create(name="Zeta Mitte").pk == 1
    with schema_context(TEMPLATE_SCHEMA):
        assert not Staff.objects.exists() and not Branch.objects.exists()


def test_creating_a_company_runs_no_migration(public):
    """Cloning is a few statements (the schema in one); migrating would be thousands."""
    with CaptureQueriesContext(connection) as queries:
        company_provision(slug="zeta", name="Zahnarzt Zeta")
    assert len(queries.captured_queries) < 40


def test_a_template_behind_the_code_is_migrated_before_it_is_cloned(template_behind, companies):
    company_provision(slug="zeta", name="Zahnarzt Zeta")
    assert template_behind in migrations_recorded("zeta")
    assert migrations_recorded("zeta") == migrations_recorded("acme") == migrations_expected()
    assert schema_exists("zeta") and template_is_current()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('zeta.api_historicalapikey') IS NOT NULL")
        assert cursor.fetchone()[0]


def test_migrate_schemas_migrates_the_template_too(template_behind):
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    assert template_behind in migrations_recorded(TEMPLATE_SCHEMA)
    assert template_is_current()


def test_the_template_is_no_company_and_no_company_can_take_its_name(public):
    assert schema_exists(TEMPLATE_SCHEMA)
    assert not Company.objects.filter(schema_name=TEMPLATE_SCHEMA).exists()
    with pytest.raises(ValidationError, match="reserved for the template"):
        company_provision(slug=TEMPLATE_SCHEMA, name="Template")
    with pytest.raises(ValidationError, match="reserved for the template"):
        Company(schema_name=TEMPLATE_SCHEMA, slug="other", name="Other").save()
