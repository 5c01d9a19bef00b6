"""Cross-tenant reads: the only place outside provisioning and routing that walks over companies."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, tenant_context

from tenants.models import Company


def active_companies() -> QuerySet[Company]:
    return (
        Company.objects.exclude(schema_name=get_public_schema_name())
        .filter(is_active=True)
        .order_by("schema_name")
    )


def in_each_active_company() -> Iterator[Company]:
    """Yield every active company with the connection switched into its schema for the loop body."""
    for company in active_companies():
        with tenant_context(company):
            yield company
