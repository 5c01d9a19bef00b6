from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.services import company_provision


class Command(BaseCommand):
    help = "Create a company (schema, domain, phone routes, first admin) in one idempotent step."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--domain", help="host name; default <slug>.<BASE_DOMAIN>")
        parser.add_argument(
            "--phone", action="append", default=[], help="E.164 number routed to it (repeatable)"
        )
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-password")
        parser.add_argument("--timezone", default="Europe/Berlin")
        parser.add_argument("--language", default="de", choices=["de", "en"])

    def handle(self, *args, **options):
        try:
            result = company_provision(
                slug=options["slug"],
                name=options["name"],
                domain=options["domain"],
                phones=tuple(options["phone"]),
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                timezone=options["timezone"],
                language=options["language"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        verb = "Created" if result.created else "Already there:"
        self.stdout.write(f"{verb} company {result.company.slug} at {', '.join(result.domains)}")
        for number in result.numbers:
            self.stdout.write(f"  phone {number}")
        if options["admin_email"]:
            state = "created" if result.admin_created else "exists"
            self.stdout.write(f"  admin {options['admin_email']} ({state})")
