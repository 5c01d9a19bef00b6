"""Demo data for `make run`: two companies with branches, hours, services, staff, customers, callbacks,
a cancellation policy with fees, a Cal.com connection to the stand-in and the last 30 days of history.

The demo company shows a clinic with several branches: three branches, each with its own number and its
own Cal.com event types, a central number without a branch (the agent asks which branch), staff in one or
two branches, and one planned absence. Each company's Cal.com key and webhook secret are the stand-in's
(`manage.py calcom_standin`, started by `make run`); the history is `_demo_history`.

Idempotent: a second run finds everything in place and changes nothing. `--now` fixes the moment the
history ends (tests); by default it is the current time.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tenants.utils import tenant_context

from common.phone import normalise_phone
from org.models import Absence, Branch, Customer, OpeningHours, Service, Staff
from org.services import absence_save, customer_create, staff_ensure
from tenants.management.commands import _demo_history as demo_history
from tenants.models import Company
from tenants.services import company_provision, phone_route_add, public_tenant_ensure

PASSWORD = "demo12345"
COMPANIES = [
    {
        "slug": "demo",
        "name": "Demo Praxis",
        "phone": "+49 30 55501000",
        "branches": ["Berlin Mitte", "Berlin Charlottenburg", "Berlin Prenzlauer Berg"],
        "services": [("Erstberatung", 30, "0.00"), ("Behandlung", 60, "80.00"), ("Kontrolle", 20, "35.00")],
        # Number -> branch; None is the central number, routed to the company but to no branch.
        "numbers": {
            "+49 30 55501001": "Berlin Mitte",
            "+49 30 55501002": "Berlin Charlottenburg",
            "+49 30 55501003": "Berlin Prenzlauer Berg",
            "+49 30 55501009": None,
        },
    },
    {
        "slug": "beispiel",
        "name": "Beispiel Salon",
        "phone": "+49 40 55502000",
        "branches": ["Hamburg Altona", "Hamburg Eppendorf"],
        "services": [("Haarschnitt", 45, "39.00"), ("Färben", 90, "89.00"), ("Bartpflege", 20, "19.00")],
    },
]
CUSTOMERS = [
    ("Jonas Weber", "+4915112345678", "jonas.weber@example.test", False),
    ("Maria Keller", "+4917622334455", "maria.keller@example.test", True),
    ("Lena Fischer", "+4916099887766", "lena.fischer@example.test", False),
    ("Paul Becker", "+4915755544433", "", False),
    ("Sophie Wagner", "+4915233445566", "sophie.wagner@example.test", False),
    ("Felix Hoffmann", "+4917011223344", "felix.hoffmann@example.test", False),
    ("Emma Schulz", "+4916255667788", "emma.schulz@example.test", False),
    ("Noah Richter", "+4915911122233", "", False),
    ("Mia Klein", "+4917344455566", "mia.klein@example.test", True),
    ("Ben Wolf", "+4915566677788", "ben.wolf@example.test", False),
    ("Hannah Neumann", "+4916077788899", "hannah.neumann@example.test", False),
    ("Leon Schwarz", "+4917599900011", "", False),
]
# The demo's cancellation policy: free from 48 hours' notice, then a fee (tried in the README).
CANCELLATION_POLICY = {
    "hours_before": 0,
    "fee": {
        "kind": "tiered",
        "currency": "EUR",
        "tiers": [
            {"min_hours": 48, "max_hours": None, "amount": "0"},
            {"min_hours": 24, "max_hours": 48, "amount": "10"},
            {"min_hours": 0, "max_hours": 24, "amount": "25"},
        ],
    },
}


class Command(BaseCommand):
    help = "Create the demo companies and their data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", type=datetime.fromisoformat, help="when the 30 days of history end (ISO, with offset)"
        )

    def handle(self, *args, **options):
        now = options.get("now") or timezone.now()
        public_tenant_ensure()
        if not User.objects.filter(username="root@platform.test").exists():
            User.objects.create_superuser("root@platform.test", "root@platform.test", PASSWORD)
        for spec in COMPANIES:
            slug = spec["slug"]
            result = company_provision(
                slug=slug,
                name=spec["name"],
                phones=(spec["phone"],),
                admin_email=f"admin@{slug}.test",
                admin_password=PASSWORD,
            )
            self.calcom_connection(result.company)
            with tenant_context(result.company):
                branches = self.seed_company(spec)
                seeded = self.history(spec, now)
            self.numbers(result.company, spec.get("numbers", {}), branches)
            self.stdout.write(f"Demo company {slug} ready at {result.domains[0]}{seeded}")

    @staticmethod
    def calcom_connection(company: Company) -> None:
        """The Cal.com stand-in's key and webhook secret (demo values, not secrets), unless one is set."""
        if company.calcom_api_key:
            return
        company.calcom_api_key = f"cal_demo_{company.slug}"
        company.calcom_webhook_secret = f"demo-webhook-secret-{company.slug}"
        company.calcom_username = company.slug
        company.save(update_fields=["calcom_api_key", "calcom_webhook_secret", "calcom_username"])

    @staticmethod
    def history(spec: dict, now: datetime) -> str:
        """The last 30 days of calls, callbacks and appointments (once)."""
        if demo_history.history_seeded():
            return ""
        company = demo_history.Company(
            slug=spec["slug"],
            number=str(normalise_phone(spec["phone"])),
            branches=list(Branch.objects.order_by("pk")),
            services=list(Service.objects.order_by("pk")),
            staff=list(Staff.objects.filter(is_active=True).order_by("pk").prefetch_related("branches")),
            customers=list(Customer.objects.order_by("pk")),
        )
        seeded = demo_history.history_seed(company, now=now)
        return (
            f" (history: {seeded.calls} calls, {seeded.callbacks} callbacks, {seeded.appointments} "
            f"appointments, {seeded.cancellations} cancellations)"
        )

    def seed_company(self, spec: dict) -> dict[str, Branch]:
        slug = spec["slug"]
        branches = [self.branch(name) for name in spec["branches"]]
        services = [self.service(name, minutes, price, branches) for name, minutes, price in spec["services"]]
        staff_ensure(
            email=f"manager@{slug}.test",
            name="Max Brandt",
            role="manager",
            password=PASSWORD,
            branches=tuple(branches),
            services=tuple(services),
        )
        staff_ensure(
            email=f"staff@{slug}.test",
            name="Anna Schneider",
            role="staff",
            password=PASSWORD,
            branches=(branches[0],),
            services=tuple(services),
        )
        tom = staff_ensure(
            email=f"tom@{slug}.test",
            name="Tom Berger",
            role="staff",
            password=PASSWORD,
            branches=(branches[0],),
            services=tuple(services[:2]),
        )[0]
        tom.branches.add(*branches[:2])  # works in two branches (also in data seeded before)
        sara = staff_ensure(
            email=f"sara@{slug}.test",
            name="Sara Wolf",
            role="staff",
            password=PASSWORD,
            branches=(branches[1],),
            services=tuple(services),
        )[0]
        staff_ensure(
            email=f"lukas@{slug}.test",
            name="Lukas Schmidt",
            role="staff",
            password=PASSWORD,
            branches=(branches[-1],),
            services=tuple(services),
        )
        admin = staff_ensure(email=f"admin@{slug}.test", name="Ada Krüger", role="admin")[0]
        admin.branches.set(branches)
        Staff.objects.get(user__username=f"manager@{slug}.test").branches.add(*branches)
        self.absence(sara)
        self.cancellation_policy()
        self.event_types(branches, services)
        customers = [self.customer(*row) for row in CUSTOMERS]
        self.callbacks(branches, services, customers)
        return {branch.name: branch for branch in branches}

    @staticmethod
    def branch(name: str) -> Branch:
        branch, created = Branch.objects.get_or_create(name=name, defaults={"timezone": "Europe/Berlin"})
        if created:
            for weekday in range(5):
                OpeningHours.objects.create(branch=branch, weekday=weekday, opens=time(8), closes=time(12))
                OpeningHours.objects.create(branch=branch, weekday=weekday, opens=time(13), closes=time(18))
            OpeningHours.objects.create(branch=branch, weekday=5, opens=time(9), closes=time(13))
        return branch

    @staticmethod
    def service(name: str, minutes: int, price: str, branches: list[Branch]) -> Service:
        service, created = Service.objects.get_or_create(
            name=name, defaults={"duration_minutes": minutes, "price": Decimal(price)}
        )
        service.branches.add(*branches)  # (a branch added to the demo later offers it too)
        return service

    @staticmethod
    def absence(staff: Staff) -> None:
        """One planned holiday, in a week (it starts later, so it moves no callbacks while seeding)."""
        if staff.absences.exists():
            return
        starts = timezone.localdate() + timedelta(days=7)
        absence = Absence(
            staff=staff, kind=Absence.Kind.HOLIDAY, starts_on=starts, ends_on=starts + timedelta(days=4)
        )
        absence_save(absence=absence)

    @staticmethod
    def cancellation_policy() -> None:
        from policies.models import PolicyConfiguration
        from policies.services import policy_set

        if not PolicyConfiguration.objects.filter(policy_type="cancellation").exists():
            policy_set(policy_type="cancellation", settings=CANCELLATION_POLICY)

    @staticmethod
    def event_types(branches: list[Branch], services: list[Service]) -> None:
        """Each branch books each service in its own Cal.com event type (9101, 9102, ... at the first
        branch, 9201, ... at the second), served by the Cal.com stand-in under `make run`."""
        from appointments.models import EventTypeMapping
        from appointments.services import event_type_map

        for b, branch in enumerate(branches, start=1):
            for s, service in enumerate(services, start=1):
                if not EventTypeMapping.objects.filter(branch=branch, service=service, staff=None).exists():
                    event_type_map(branch=branch, service=service, event_type_id=9000 + 100 * b + s)

    @staticmethod
    def numbers(company: Company, numbers: dict[str, str | None], branches: dict[str, Branch]) -> None:
        """Branch numbers route to their branch; the central number to the company only."""
        for number, branch_name in numbers.items():
            branch = branches[branch_name] if branch_name else None
            label = branch_name or "Zentrale"
            phone_route_add(
                company=company, number=number, branch_id=branch.pk if branch else None, label=label
            )

    @staticmethod
    def customer(name: str, phone: str, email: str, vip: bool) -> Customer:
        existing = Customer.objects.filter(phone=phone).first()
        return existing or customer_create(name=name, phone=phone, email=email, is_vip=vip)

    def callbacks(self, branches, services, customers) -> None:
        """Open callback requests, created through the callback service."""
        from callbacks.models import CallbackRequest

        if CallbackRequest.objects.exists():
            return
        from callbacks import services as callback_services

        notes = ["Möchte Termin verschieben", "Rückfrage zur Rechnung", "Dringend: Schmerzen", "—"]
        for index, customer in enumerate(customers[: len(notes)]):
            callback_services.callback_create(
                phone=str(customer.phone),
                customer_name=customer.name,
                customer_id=customer.pk,
                branch_id=branches[index % len(branches)].pk,
                service_id=services[index % len(services)].pk,
                notes=notes[index],
                source="manual",
            )
