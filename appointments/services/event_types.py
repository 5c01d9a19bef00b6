"""Which Cal.com event type books which service at which branch: mappings and the import."""

from __future__ import annotations

from django.db import transaction

from appointments.models import EventTypeMapping
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from org.models import Branch, Service, Staff


@transaction.atomic
def event_type_map(
    *,
    branch: Branch,
    service: Service,
    event_type_id: int,
    staff: Staff | None = None,
    title: str = "",
    slug: str = "",
    length_minutes: int | None = None,
) -> EventTypeMapping:
    """Point a service at a branch (or one staff member's variant of it there) at a Cal.com event type."""
    mapping = EventTypeMapping.objects.filter(
        branch=branch, service=service, staff=staff
    ).first() or EventTypeMapping(branch=branch, service=service, staff=staff)
    mapping.event_type_id = event_type_id
    mapping.title, mapping.slug, mapping.length_minutes = title, slug, length_minutes
    mapping.full_clean()
    mapping.save()
    return mapping


def event_types_import(
    *, branch: Branch, client: CalcomClient | None = None, username: str = ""
) -> list[EventTypeMapping]:
    """Create a service for every Cal.com event type that no mapping knows yet (title → name, length →
    duration), offered at `branch` and mapped as that service's default there. Existing mappings are left
    alone."""
    client = client or calcom_client_for_current_company()
    # Without a username Cal.com lists nothing (calcom.md §1.2): ask who the key belongs to.
    username = username or str(client.me().get("username", ""))
    event_types = client.event_types(username=username)
    with transaction.atomic():
        return _import_event_types(event_types, branch)


def _import_event_types(event_types: list, branch: Branch) -> list[EventTypeMapping]:
    known = set(EventTypeMapping.objects.values_list("event_type_id", flat=True))
    known |= set(
        Service.objects.exclude(calcom_event_type_id=None).values_list("calcom_event_type_id", flat=True)
    )
    created = []
    for event_type in event_types:
        if event_type.id in known:
            continue
        service = Service(
            name=event_type.title or event_type.slug, duration_minutes=event_type.length_minutes or 30
        )
        service.full_clean()
        service.save()
        service.branches.add(branch)
        created.append(
            event_type_map(
                branch=branch,
                service=service,
                event_type_id=event_type.id,
                title=event_type.title,
                slug=event_type.slug,
                length_minutes=event_type.length_minutes,
            )
        )
    return created
