"""Provisioning companies: schema, host name, phone routes and the first admin, idempotently."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context

from common.phone import normalise_phone
from tenants.models import Company, Domain, PhoneNumber

NUMBER_TAKEN = _("%(number)s already routes to another company (%(company)s).")
PUBLIC_SCHEMA = "public"


@dataclass
class ProvisionResult:
    company: Company
    created: bool
    domains: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    admin_created: bool = False


def public_tenant_ensure() -> Company:
    """The public tenant row and the bare BASE_DOMAIN host that serves the platform admin and webhooks."""
    public, _created = Company.objects.get_or_create(
        schema_name=PUBLIC_SCHEMA, defaults={"name": "Switchboard", "slug": PUBLIC_SCHEMA}
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public


def phone_route_add(
    *, company: Company, number: str, branch_id: int | None = None, label: str = ""
) -> PhoneNumber:
    e164 = normalise_phone(number)
    route = PhoneNumber.objects.filter(number=e164).select_related("company").first()
    if route and route.company_id != company.pk:
        raise ValidationError(NUMBER_TAKEN, params={"number": e164, "company": route.company.slug})
    if route is None:
        return PhoneNumber.objects.create(number=e164, company=company, branch_id=branch_id, label=label)
    if branch_id is not None and route.branch_id != branch_id:
        route.branch_id = branch_id
        route.save(update_fields=["branch_id"])
    return route


def company_provision(
    *,
    slug: str,
    name: str,
    domain: str | None = None,
    phones: tuple[str, ...] = (),
    admin_email: str | None = None,
    admin_password: str | None = None,
    timezone: str = "Europe/Berlin",
    language: str = "de",
) -> ProvisionResult:
    """Create (or complete) a company in one step; running it again changes nothing that exists."""
    for number in phones:
        normalise_phone(number)  # fail before creating anything
    public_tenant_ensure()
    company = Company.objects.filter(schema_name=slug).first()
    created = company is None
    if created:
        company = Company(schema_name=slug, slug=slug, name=name, timezone=timezone, language=language)
        company.full_clean()
        company.save(verbosity=0)  # CREATE SCHEMA + tenant migrations
    result = ProvisionResult(company=company, created=created)
    host = domain or f"{slug}.{settings.BASE_DOMAIN}"
    Domain.objects.get_or_create(domain=host, defaults={"tenant": company, "is_primary": True})
    result.domains.append(host)
    with transaction.atomic():
        for number in phones:
            result.numbers.append(str(phone_route_add(company=company, number=number).number))
    if admin_email:
        with tenant_context(company):
            from org.services import staff_ensure

            _staff, result.admin_created = staff_ensure(
                email=admin_email,
                name=admin_email.split("@")[0].title(),
                role="admin",
                password=admin_password,
            )
    return result
