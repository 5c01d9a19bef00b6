"""Scenario 6, companies: creating company number N (BENCH_COMPANIES, 500) and migrating them all.

Goals (issue 16): the last company is created in < 1 s (its schema cloned from the migrated template,
tenants.template), and one new migration reaches every schema in < 10 minutes with
`migrate_schemas --executor=multiprocessing` (docs/scaling.md). Before the template, each company's schema
was migrated from scratch: 2.6-6.5 s each at 40 companies.

The companies are created one after another in one Django process, as the platform admin's web worker
would, through `tenants.services.company_provision` with a first admin. The new migration is a throwaway:
a copy of webhooks' migrations plus one RunSQL migration, in a temporary directory that MIGRATION_MODULES
points webhooks at, in the migrating process only; nothing of it is in the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.bench.stack import Stack
from scripts.bench.table import Goal, Row
from tests.drills.conftest import ROOT

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "500"))
CREATION_GOAL_MS = 1000
MIGRATION_GOAL_S = 600
THROWAWAY_APP = "webhooks"
THROWAWAY = "9999_bench_throwaway"
THROWAWAY_PACKAGE = "bench_throwaway_migrations"

CREATE = """
import json, time
from tenants.services import company_provision
for index in range({count}):
    slug = f"co{{index:04d}}"
    started = time.perf_counter()
    company_provision(slug=slug, name=f"Firma {{index}}", admin_email=f"admin@{{slug}}.test")
    print(json.dumps({{"ms": (time.perf_counter() - started) * 1000}}), flush=True)
"""

MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("{app}", "{leaf}")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE webhooks_webhookendpoint ADD COLUMN bench_throwaway integer",
            "ALTER TABLE webhooks_webhookendpoint DROP COLUMN bench_throwaway",
        )
    ]
"""


def run(stack: Stack, **_: object) -> list[Row]:
    return [_creation(stack, COMPANIES), _migration(stack)]


def _creation(stack: Stack, count: int) -> Row:
    done = _run(stack.env, "manage.py", "shell", stdin=CREATE.format(count=count))
    if done.returncode != 0:
        print(f"creating companies failed:\n{done.stderr[-3000:]}", file=sys.stderr)
    millis = [json.loads(line)["ms"] for line in done.stdout.splitlines() if line.startswith('{"ms"')]
    row = Row(
        "companies",
        f"create {count} companies, one by one",
        requests=len(millis),
        errors=count - len(millis),
        goals=[Goal("last_ms", "<", CREATION_GOAL_MS), Goal("errors", "==", 0)],
    )
    if millis:
        tenth = max(1, len(millis) // 10)
        quantiles = statistics.quantiles(millis, n=100) if len(millis) > 1 else [millis[0]] * 99
        row.p50_ms, row.p95_ms, row.p99_ms = quantiles[49], quantiles[94], quantiles[98]
        row.extra = {
            "last_ms": round(millis[-1], 1),
            "first_ms": round(millis[0], 1),
            "first_tenth_p50_ms": round(statistics.median(millis[:tenth]), 1),
            "last_tenth_p50_ms": round(statistics.median(millis[-tenth:]), 1),
            "load_average": _load_average(),
        }
    return row


def _migration(stack: Stack) -> Row:
    """Every schema (the companies, the bench's own, the template) gets the throwaway migration."""
    directory = Path(tempfile.mkdtemp(prefix="sb-bench-migration-"))
    try:
        command = _throwaway_migration(directory)
        started = time.monotonic()
        done = _run(
            stack.env, *command, "migrate_schemas", "--tenant", "--executor=multiprocessing", "-v", "0"
        )
        seconds = time.monotonic() - started
        if done.returncode != 0:  # the schemas it did not reach are the row's errors
            print(f"migrate_schemas failed:\n{done.stderr[-3000:]}", file=sys.stderr)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    schemas = [row[0] for row in stack.sql(_SCHEMAS, schema="public")]
    migrated = sum(stack.scalar(_HAS_THROWAWAY, THROWAWAY, schema=schema) for schema in schemas)
    processes = int(stack.manage("shell", "-c", _PROCESSES).split()[-1])  # after the shell's banner
    return Row(
        "companies",
        f"migrate {len(schemas)} schemas, 1 new migration",
        requests=len(schemas),
        errors=len(schemas) - migrated,
        goals=[Goal("seconds", "<", MIGRATION_GOAL_S, " s"), Goal("errors", "==", 0)],
        extra={
            "seconds": round(seconds, 1),
            "processes": processes,
            "schemas_migrated": migrated,
            "load_average": _load_average(),
        },
    )


def _load_average() -> float:
    """The machine's load over the last 15 minutes: on a shared machine, what the times above shared."""
    return round(os.getloadavg()[2], 1)


_SCHEMAS = (
    "SELECT table_schema FROM information_schema.tables"
    " WHERE table_name = 'django_migrations' AND table_schema <> 'public'"
)
_HAS_THROWAWAY = f"SELECT count(*) FROM django_migrations WHERE app = '{THROWAWAY_APP}' AND name = %s"
_PROCESSES = "from django.conf import settings; print(settings.TENANT_MULTIPROCESSING_MAX_PROCESSES)"


# The migrating process: the bench's settings plus webhooks' migrations from the temporary package (a
# settings module importing the real one would be imported twice: config/__init__ reads the settings).
MIGRATE_WITH_THROWAWAY = """
import sys
from django.conf import settings
sys.path.insert(0, sys.argv.pop(1))
settings.MIGRATION_MODULES = {{**settings.MIGRATION_MODULES, {app!r}: {package!r}}}
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""


def _throwaway_migration(directory: Path) -> list[str]:
    """webhooks' migrations plus the throwaway in `directory`; the command that migrates with them (a
    process that sees one migration more than the code has)."""
    package = directory / THROWAWAY_PACKAGE
    code = ROOT / THROWAWAY_APP / "migrations"
    shutil.copytree(code, package, ignore=shutil.ignore_patterns("__pycache__"))
    leaf = sorted(path.stem for path in package.glob("[0-9]*.py"))[-1]
    (package / f"{THROWAWAY}.py").write_text(MIGRATION.format(app=THROWAWAY_APP, leaf=leaf))
    script = MIGRATE_WITH_THROWAWAY.format(app=THROWAWAY_APP, package=THROWAWAY_PACKAGE)
    return ["-c", script, str(directory)]


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Python in the repository, without Stack.manage's 15 minutes' limit: 500 companies on a busy
    machine take longer."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
    )
