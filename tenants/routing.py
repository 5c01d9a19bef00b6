"""Cross-tenant entry points: finding the company for a request that carries no tenant host name."""

from django.core.exceptions import ValidationError
from django_tenants.utils import get_public_schema_name

from common.phone import normalise_phone
from tenants.models import Company, PhoneNumber


def company_for_number(raw_number: str) -> PhoneNumber | None:
    """The active route for a phone number, or None. Never falls back to a default company."""
    try:
        e164 = normalise_phone(raw_number)
    except ValidationError:
        return None
    return (
        PhoneNumber.objects.select_related("company")
        .filter(number=e164, is_active=True, company__is_active=True)
        .first()
    )


def company_for_slug(slug: str) -> Company | None:
    """The active company a per-company URL (Cal.com's webhook) names, or None."""
    return (
        Company.objects.exclude(schema_name=get_public_schema_name())
        .filter(slug=slug, is_active=True)
        .first()
    )
