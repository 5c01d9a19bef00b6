"""The three roles exist from the start; their permissions are synced after each migrate (org.roles)."""

from django.db import migrations

ROLES = ("staff", "manager", "admin")


def create_role_groups(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
