"""The three roles of a company's people, as auth groups with their permissions.

Groups are (re)synchronised after every migration of a tenant schema, so new models' permissions reach
the roles without a manual step. Later apps add their permissions to ROLE_PERMISSIONS.
"""

from typing import TYPE_CHECKING

from django.db import connection, models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from org.models import Staff


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


def active_role(staff: "Staff | None") -> str | None:
    """The role a staff profile grants right now: none once the profile is deactivated."""
    if staff is None or not staff.is_active:
        return None
    return staff.role


def is_manager(staff: "Staff | None") -> bool:
    """Managers and admins with an active profile: waive fees, override refusals, bulk actions."""
    return active_role(staff) in (Role.MANAGER, Role.ADMIN)


TENANT_APP_LABELS = (
    "org", "callbacks", "appointments", "policies", "calls", "notifications", "integrations", "webhooks",
    "api",
)  # fmt: skip

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.STAFF: {
        "org.view_customer",
        "org.change_customer",
        "org.add_customer",
        "org.view_branch",
        "org.view_service",
        "org.view_staff",
        "callbacks.view_callbackrequest",
        "callbacks.change_callbackrequest",
        "callbacks.add_callbackrequest",
        "appointments.view_appointment",
        "appointments.add_appointment",
        "appointments.change_appointment",
        "calls.view_call",
    },
}
ROLE_PERMISSIONS[Role.MANAGER] = ROLE_PERMISSIONS[Role.STAFF] | {
    "callbacks.delete_callbackrequest",
    "callbacks.view_callbackescalation",
    "callbacks.change_callbackescalation",
    "policies.view_policyconfiguration",
    "policies.view_appointmentmodification",
    "notifications.view_notificationdelivery",
    "integrations.view_webhookevent",
    "integrations.change_webhookevent",
}


def role_permission_codes(role: str) -> set[str]:
    """Admins get every permission of the company's own apps."""
    from django.contrib.auth.models import Permission

    if role != Role.ADMIN:
        return set(ROLE_PERMISSIONS[role])
    perms = Permission.objects.filter(content_type__app_label__in=TENANT_APP_LABELS)
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms.select_related("content_type")}


def sync_role_groups(sender=None, **kwargs) -> None:
    """post_migrate: make sure each role group exists with exactly its permissions (tenant schemas only)."""
    if connection.schema_name == "public" or getattr(sender, "name", None) != "org":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        codes = role_permission_codes(role)
        wanted = [
            p
            for p in Permission.objects.select_related("content_type")
            if f"{p.content_type.app_label}.{p.codename}" in codes
        ]
        group.permissions.set(wanted)
