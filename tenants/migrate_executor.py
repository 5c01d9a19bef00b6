"""`migrate_schemas` migrates the company template first (settings.GET_EXECUTOR_FUNCTION).

When it migrates every company (no --schema), the template (tenants.template) is created if missing and
migrated before them, in this process and under the template's lock, so no company is cloned from a
template half-way through a migration; then the companies follow with the chosen executor
(`--executor=multiprocessing` runs TENANT_MULTIPROCESSING_MAX_PROCESSES of them at once, docs/scaling.md).
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django_tenants.migration_executors import get_executor
from django_tenants.migration_executors.base import MigrationExecutor, run_migrations
from django_tenants.utils import get_public_schema_name, quote_schema_name

from tenants.template import TEMPLATE_LOCK, TEMPLATE_SCHEMA


def executor_with_template(codename: str | None = None) -> type[MigrationExecutor]:
    base = get_executor(codename)

    class TemplateFirst(base):
        def run_migrations(self, tenants=None):
            every_company = self.options.get("schema_name") is None
            if every_company and list(tenants or []) != [get_public_schema_name()]:
                _template_migrate(self)
            return super().run_migrations(tenants)

    return TemplateFirst


def _template_migrate(executor: MigrationExecutor) -> None:
    """The template, migrated with the command's own arguments while a second connection holds the lock
    (a session lock: migrating commits as it goes)."""
    lock = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with lock.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_schema_name(TEMPLATE_SCHEMA)}")
        run_migrations(executor.args, executor.options, executor.codename, TEMPLATE_SCHEMA)
    finally:
        lock.close()
