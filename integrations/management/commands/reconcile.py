"""`manage.py reconcile --company <slug> [--source retell|calcom]`: one reconciliation run now, by hand.

The same work beat runs every 15 minutes (integrations/beat.py); see docs/operations.md, "Reconciliation".
"""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from integrations.calcom.reconcile import calcom_reconcile
from integrations.retell.reconcile import retell_reconcile
from tenants.routing import company_for_slug

RECONCILERS = {"retell": retell_reconcile, "calcom": calcom_reconcile}


class Command(BaseCommand):
    help = "Compare one company's calls and bookings with Retell's and Cal.com's own lists and repair ours."

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="the company's slug")
        parser.add_argument("--source", choices=sorted(RECONCILERS), help="only this vendor (default: both)")

    def handle(self, *args, **options):
        company = company_for_slug(options["company"])
        if company is None:
            raise CommandError(f"No active company has the slug {options['company']!r}.")
        sources = [options["source"]] if options["source"] else sorted(RECONCILERS)
        with tenant_context(company):
            for source in sources:
                repaired = RECONCILERS[source]()
                self.stdout.write(f"{source}: {repaired} repaired")
