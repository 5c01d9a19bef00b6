"""The company-wide activity list: every recorded change of the audited models, newest first.

Audited models are those whose history (django-simple-history) records its actor (`ActorHistory`), so a
model added to the audit trail appears here without being named. The company itself lives in the public
schema: only the current company's own records are read.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

from common.conf import current_company
from common.models import ActorHistory

PAGE_SIZE = 50


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any
    label: str  # the field's verbose name, in the reader's language


@dataclass(frozen=True)
class Activity:
    at: datetime
    model: str
    object_id: Any
    object_repr: str
    action: str
    who: str
    changes: list[Change]


def audited_models() -> dict[str, type[Model]]:
    """Historical models by the label of the model they record ("org.customer")."""
    found = {}
    for historical in apps.get_models():
        if issubclass(historical, ActorHistory):
            found[historical.instance_type._meta.label_lower] = historical
    return dict(sorted(found.items()))


def _records(historical: type[Model], actor: str, since: date | None, until: date | None) -> QuerySet:
    records = historical.objects.select_related("history_user").order_by("-history_date", "-history_id")
    company = current_company()
    if historical.instance_type is type(company):
        records = records.filter(id=company.pk)
    if actor:
        records = records.filter(history_actor__istartswith=actor)
    if since:
        records = records.filter(history_date__date__gte=since)
    if until:
        records = records.filter(history_date__date__lte=until)
    return records


def _changes(record: Any) -> list[Change]:
    if record.history_type != "~" or record.prev_record is None:
        return []
    delta = record.diff_against(record.prev_record)
    fields = record.instance_type._meta
    return [
        Change(change.field, change.old, change.new, str(fields.get_field(change.field).verbose_name))
        for change in delta.changes
    ]


def _activity(record: Any) -> Activity:
    return Activity(
        at=record.history_date,
        model=str(record.instance_type._meta.verbose_name),
        object_id=record.id,
        object_repr=str(record.history_object),
        action=record.get_history_type_display(),
        who=record.history_actor or str(record.history_user or ""),
        changes=_changes(record),
    )


def activity_list(
    *, model: str = "", actor: str = "", since: date | None = None, until: date | None = None, page: int = 1
) -> list[Activity]:
    """One page of changes across the audited models (or the one named by `model`), newest first."""
    models = audited_models()
    chosen = [models[model]] if model in models else list(models.values())
    wanted = page * PAGE_SIZE
    newest = [_records(historical, actor, since, until)[:wanted] for historical in chosen]
    merged = heapq.merge(*newest, key=lambda record: record.history_date, reverse=True)
    return [_activity(record) for record in list(merged)[wanted - PAGE_SIZE : wanted]]
