"""Indexes for the callback list at 100,000 callbacks (issue 16, scenario 2).

Each ordering the list offers on the callbacks' own columns reads the first page from an index instead of
sorting every visible callback: the default (open first, then the nearest deadline; the expression is
`CallbackRequestAdmin.get_ordering`'s and must stay identical to it), the customer, the deadline, the status
and the priority, each with the id as the tie-break (`callbacks.admin.changelist.CallbackChangeList`). The
list hides the trash, so these cover live callbacks only; the branch index lets the paginator count them
from the index alone. Search by name or by part of a number ("%4711%") uses trigram indexes (pg_trgm,
created in public, where django-tenants keeps extensions; every schema's search_path includes it). Where the
server has no pg_trgm (the embedded PostgreSQL of `make run` ships without the contrib extensions) search
still works, only unindexed: a demo's few hundred callbacks need no index.
"""

from django.db import migrations

LIVE = "WHERE deleted_at IS NULL"
URGENCY = "(CASE WHEN status IN ('pending', 'assigned', 'contacted') THEN 0 ELSE 1 END)"
ORDERED = {
    "callbacks_list_urgency_idx": f"{URGENCY}, expires_at, id",
    "callbacks_list_customer_idx": "customer_name, id",
    "callbacks_list_deadline_idx": "expires_at, id",
    "callbacks_list_status_idx": "status, id",
    "callbacks_list_priority_idx": "priority, id",
    "callbacks_list_branch_idx": "branch_id",
}
# The expressions Django's icontains and contains compare on PostgreSQL ("UPPER(col::text) LIKE …").
TRIGRAM = {
    "callbacks_name_trgm_idx": "UPPER(customer_name::text)",
    "callbacks_phone_trgm_idx": "phone::text",
}
TABLE = "callbacks_callbackrequest"


def trigram_indexes_create(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    for name, column in TRIGRAM.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {TABLE} USING gin (({column}) public.gin_trgm_ops)")


def trigram_indexes_drop(apps, schema_editor) -> None:
    for name in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0010_system_texts_as_json"),
    ]

    operations = [
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name} ON {TABLE} ({columns}) {LIVE}",
                reverse_sql=f"DROP INDEX {name}",
            )
            for name, columns in ORDERED.items()
        ),
        migrations.RunPython(trigram_indexes_create, trigram_indexes_drop),
    ]
