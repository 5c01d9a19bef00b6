"""`manage.py calcom_standin --port 8010 --webhooks-to http://localhost:8000`: the Cal.com stand-in
(integrations.calcom.standin) for every company with a Cal.com key, so the demo books without internet.

`make run` starts it (Procfile entry `calcom`) and points the client at it (platform setting
`CALCOM_CLIENT.base_url`, scripts/run.py). What it serves is read from our database when it starts:

- one Cal.com user per company (its API key, its slug as username), whose webhooks go, signed with the
  company's webhook secret, to `<webhooks-to>/webhooks/calcom/<slug>`;
- the company's mapped event types (`EventTypeMapping`), as long as their service;
- the company's upcoming appointments booked in Cal.com, so they can be moved and cancelled after a
  restart (the stand-in keeps its bookings in memory only).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context

from appointments.models import Appointment, EventTypeMapping
from integrations.calcom.standin import CalcomStandIn
from integrations.calcom.standin_shapes import StandInAccount
from tenants.models import Company

ACTIVE = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)


class Command(BaseCommand):
    help = "Serve the Cal.com stand-in for the companies with a Cal.com key (the offline demo)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument(
            "--webhooks-to", default="http://localhost:8000", help="the running server (default %(default)s)"
        )

    def handle(self, *args, **options):
        standin = CalcomStandIn(host=options["host"], port=options["port"])
        standin.accounts, standin.event_types = [], []
        companies = Company.objects.exclude(schema_name=get_public_schema_name()).exclude(calcom_api_key="")
        for user_id, company in enumerate(companies.order_by("pk"), start=1):
            account = StandInAccount(
                api_key=company.calcom_api_key,
                username=company.calcom_username or company.slug,
                user_id=user_id,
                name=company.name,
                webhook_url=f"{options['webhooks_to'].rstrip('/')}/webhooks/calcom/{company.slug}",
                webhook_secret=company.calcom_webhook_secret,
            )
            standin.accounts.append(account)
            with tenant_context(company):
                own = event_types_of(user_id)
                standin.event_types.extend(own)
                held = hold_upcoming_bookings(standin)
            self.stdout.write(
                f"Cal.com stand-in: {company.slug} ({len(own)} event types, {held} upcoming bookings), "
                f"webhooks to {account.webhook_url}"
            )
        self.stdout.write(f"Cal.com stand-in listening on {standin.url}", ending="\n")
        self.stdout.flush()
        standin.serve_forever()


def event_types_of(owner_id: int) -> list[dict[str, Any]]:
    """The current company's mapped event types, as the stand-in's own."""
    mappings = EventTypeMapping.objects.select_related("service", "branch").order_by("event_type_id")
    return [
        {
            "id": mapping.event_type_id,
            "slug": mapping.slug or f"{mapping.service.name}-{mapping.branch.name}".lower().replace(" ", "-"),
            "title": mapping.title or f"{mapping.service.name} ({mapping.branch.name})",
            "lengthInMinutes": mapping.length_minutes or mapping.service.duration_minutes,
            "ownerId": owner_id,
        }
        for mapping in mappings
    ]


def hold_upcoming_bookings(standin: CalcomStandIn) -> int:
    """The current company's active appointments from yesterday on, as bookings of the stand-in."""
    from appointments.selectors import event_type_for

    upcoming = (
        Appointment.objects.filter(status__in=ACTIVE, starts_at__gte=timezone.now() - timedelta(days=1))
        .exclude(calcom_booking_uid__isnull=True)
        .exclude(calcom_booking_uid="")
    )
    held = 0
    for appointment in upcoming.select_related("customer", "service", "branch", "staff"):
        try:
            event_type_id = event_type_for(
                service=appointment.service, branch=appointment.branch, staff=appointment.staff
            )
        except ValidationError:  # no event type (any more): not Cal.com's to hold
            continue
        customer = appointment.customer
        standin.booked[appointment.calcom_booking_uid] = standin.booking_record(
            uid=appointment.calcom_booking_uid,
            event_type_id=event_type_id,
            start=appointment.starts_at,
            end=appointment.ends_at,
            attendee={
                "name": customer.name,
                "email": customer.email,
                "phoneNumber": str(customer.phone),
                "timeZone": appointment.branch.timezone,
            },
            metadata={},
        )
        held += 1
    return held
