"""Demo data for `make run`: two companies with branches, hours, services, staff, customers, callbacks.

Idempotent: a second run finds everything in place and changes nothing.
"""

from datetime import time
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from org.models import Branch, Customer, OpeningHours, Service
from org.services import customer_create, staff_ensure
from tenants.services import company_provision, public_tenant_ensure

PASSWORD = "demo12345"
COMPANIES = [
    {
        "slug": "demo",
        "name": "Demo Praxis",
        "phone": "+49 30 55501000",
        "branches": ["Berlin Mitte", "Berlin Charlottenburg"],
        "services": [("Erstberatung", 30, "0.00"), ("Behandlung", 60, "80.00"), ("Kontrolle", 20, "35.00")],
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
]


class Command(BaseCommand):
    help = "Create the demo companies and their data (idempotent)."

    def handle(self, *args, **options):
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
            with tenant_context(result.company):
                self.seed_company(spec)
            self.stdout.write(f"Demo company {slug} ready at {result.domains[0]}")

    def seed_company(self, spec: dict) -> None:
        slug = spec["slug"]
        branches = [self.branch(name) for name in spec["branches"]]
        services = [self.service(name, minutes, price, branches) for name, minutes, price in spec["services"]]
        staff_ensure(
            email=f"manager@{slug}.test",
            name="Max Manager",
            role="manager",
            password=PASSWORD,
            branches=tuple(branches),
            services=tuple(services),
        )
        staff_ensure(
            email=f"staff@{slug}.test",
            name="Anna Staff",
            role="staff",
            password=PASSWORD,
            branches=(branches[0],),
            services=tuple(services),
        )
        staff_ensure(
            email=f"tom@{slug}.test",
            name="Tom Berger",
            role="staff",
            password=PASSWORD,
            branches=(branches[0],),
            services=tuple(services[:2]),
        )
        staff_ensure(
            email=f"sara@{slug}.test",
            name="Sara Wolf",
            role="staff",
            password=PASSWORD,
            branches=(branches[1],),
            services=tuple(services),
        )
        admin = staff_ensure(email=f"admin@{slug}.test", name="Ada Admin", role="admin")[0]
        admin.branches.set(branches)
        customers = [self.customer(*row) for row in CUSTOMERS]
        self.callbacks(branches, services, customers)

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
        if created:
            service.branches.set(branches)
        return service

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
        for index, customer in enumerate(customers):
            callback_services.callback_create(
                phone=str(customer.phone),
                customer_name=customer.name,
                customer_id=customer.pk,
                branch_id=branches[index % len(branches)].pk,
                service_id=services[index % len(services)].pk,
                notes=notes[index],
                source="manual",
            )
