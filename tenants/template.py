"""The company template: a migrated, empty schema that every new company's schema is cloned from.

Migrating a new schema from scratch runs every migration's code (2.6-6.5 s per company in issue 16);
cloning a migrated schema copies its tables, constraints and indexes in one round trip. The template is
no company: it has no Company row and no host, so no request, task or fan-out over companies reaches it;
it holds only what migrating writes (django_migrations, content types, permissions, the role groups,
seeded event types), which a company migrated from scratch would hold too.

It is kept current in two places: `migrate_schemas` migrates it before the companies
(`tenants.migrate_executor`), and creating a company checks it against the code's migrations first; a
template behind them (or missing) is migrated before it is cloned, so no company misses a migration.
"""

import functools
import logging

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy as _
from django_tenants.clone import CloneSchema
from django_tenants.utils import quote_schema_name

from tenants.schema_clone import Blueprint, CloneUnsupported, blueprint_read, schema_clone

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "_template"
# PostgreSQL advisory lock: migrating the template and cloning it never overlap (any process).
TEMPLATE_LOCK = 0x5B16_7E3A
RESERVED = _("%(name)s is reserved for the template new companies are made from.")

_blueprints: dict[frozenset[tuple[str, str]], Blueprint] = {}


def schema_name_check(name: str) -> None:
    """The template's name is no company's (a company of that name would be given the template)."""
    if name == TEMPLATE_SCHEMA:
        raise ValidationError(RESERVED, params={"name": name})


@functools.cache
def migrations_expected() -> frozenset[tuple[str, str]]:
    """Every migration of the code, as django_migrations records it (the code does not change while a
    process runs)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def migrations_recorded(schema: str = TEMPLATE_SCHEMA) -> frozenset[tuple[str, str]]:
    """The migrations `schema` has applied (none for a schema, or a table, that does not exist)."""
    table = f"{quote_schema_name(schema)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            return frozenset()
        cursor.execute(f"SELECT app, name FROM {table}")
        return frozenset(cursor.fetchall())


def template_is_current() -> bool:
    return migrations_expected() <= migrations_recorded()


def template_migrate(verbosity: int = 0) -> None:
    """Create the template when missing and apply the migrations it lacks (the caller holds the lock)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_schema_name(TEMPLATE_SCHEMA)}")
    call_command(
        "migrate_schemas", tenant=True, schema_name=TEMPLATE_SCHEMA, interactive=False, verbosity=verbosity
    )
    connection.set_schema_to_public()


def company_schema_clone(schema_name: str, *, verbosity: int = 0) -> None:
    """Create a new company's schema as a clone of the current template (migrating the template first
    when the code has migrations it lacks), in one transaction under the template's lock."""
    schema_name_check(schema_name)
    with transaction.atomic():
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TEMPLATE_LOCK])
        recorded = migrations_recorded()
        if not migrations_expected() <= recorded:
            logger.info("Template schema behind the code's migrations: migrating it first")
            template_migrate(verbosity)
            recorded = migrations_recorded()
        try:
            if recorded not in _blueprints:  # read once per state of the template and process
                _blueprints[recorded] = blueprint_read(TEMPLATE_SCHEMA)
        except CloneUnsupported as reason:
            logger.warning("Template cloned by django-tenants' clone_schema: %s", reason)
            CloneSchema().clone_schema(TEMPLATE_SCHEMA, schema_name, "DATA", set_connection=False)
            return
        schema_clone(_blueprints[recorded], TEMPLATE_SCHEMA, schema_name)
