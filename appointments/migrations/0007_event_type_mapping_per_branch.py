"""Event type mappings belong to a branch (each branch has its own Cal.com calendar); 0008 fills it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0006_audit_trail"),
        ("org", "0004_encrypt_branch_slack_webhook_url"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="eventtypemapping",
            options={
                "ordering": ["branch__name", "service__name", "staff__name"],
                "verbose_name": "event type mapping",
                "verbose_name_plural": "event type mappings",
            },
        ),
        migrations.RemoveConstraint(model_name="eventtypemapping", name="one_default_event_type_per_service"),
        migrations.RemoveConstraint(model_name="eventtypemapping", name="one_event_type_per_service_staff"),
        migrations.AddField(
            model_name="eventtypemapping",
            name="branch",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="event_type_mappings",
                to="org.branch",
                verbose_name="branch",
            ),
        ),
    ]
