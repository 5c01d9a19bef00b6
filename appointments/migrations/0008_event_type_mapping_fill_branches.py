"""Existing event type mappings get the branch they effectively booked for before.

Existing rows get the branch they effectively booked for before: the service's first active branch by
id, narrowed to the staff member's branches for a staff mapping (what `appointments.services.inbound.
_branch_for` chose for Cal.com bookings). A service offered at no active branch falls back to its first
branch of any state; a mapping whose service is offered at no branch at all could never book anything
(booking refuses a service not offered at the branch) and is deleted.
"""

from django.db import migrations


def _branch_used(mapping, Branch):
    offering = Branch.objects.filter(services=mapping.service_id).order_by("pk")
    active = offering.filter(is_active=True)
    if mapping.staff_id is not None:
        at_staff = active.filter(staff=mapping.staff_id)
        active = at_staff if at_staff.exists() else active
    return active.first() or offering.first()


def fill_branches(apps, schema_editor):
    EventTypeMapping = apps.get_model("appointments", "EventTypeMapping")
    Branch = apps.get_model("org", "Branch")
    for mapping in EventTypeMapping.objects.filter(branch__isnull=True):
        branch = _branch_used(mapping, Branch)
        if branch is None:
            mapping.delete()
            continue
        mapping.branch = branch
        mapping.save(update_fields=["branch"])


class Migration(migrations.Migration):
    dependencies = [("appointments", "0007_event_type_mapping_per_branch")]

    operations = [
        migrations.RunPython(fill_branches, migrations.RunPython.noop),
    ]
