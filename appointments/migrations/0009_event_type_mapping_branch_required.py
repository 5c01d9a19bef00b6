"""Every event type mapping has a branch; one default (and one per staff member) per branch and service."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("appointments", "0008_event_type_mapping_fill_branches")]

    operations = [
        migrations.AlterField(
            model_name="eventtypemapping",
            name="branch",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="event_type_mappings",
                to="org.branch",
                verbose_name="branch",
            ),
        ),
        migrations.AddConstraint(
            model_name="eventtypemapping",
            constraint=models.UniqueConstraint(
                condition=Q(staff__isnull=True),
                fields=("branch", "service"),
                name="one_default_event_type_per_branch_service",
            ),
        ),
        migrations.AddConstraint(
            model_name="eventtypemapping",
            constraint=models.UniqueConstraint(
                condition=Q(staff__isnull=False),
                fields=("branch", "service", "staff"),
                name="one_event_type_per_branch_service_staff",
            ),
        ),
    ]
