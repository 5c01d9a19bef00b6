"""Which company a Retell request belongs to, and which key it must be signed with."""

from dataclasses import dataclass

from django.conf import settings

from tenants.models import Company
from tenants.routing import company_for_number


@dataclass(frozen=True)
class Route:
    company: Company
    branch_id: int | None
    number: str

    @property
    def signing_key(self) -> str:
        """The company's own Retell API key, or the platform's when the company uses the shared account."""
        return str(self.company.retell_api_key or "") or platform_signing_key()


def platform_signing_key() -> str:
    return settings.RETELL_API_KEY


def route_call_to_company(number: str) -> Route | None:
    """The company a call on `number` belongs to (crosses tenants on purpose); never a default one."""
    phone_number = company_for_number(number)
    if phone_number is None:
        return None
    return Route(
        company=phone_number.company, branch_id=phone_number.branch_id, number=str(phone_number.number)
    )
