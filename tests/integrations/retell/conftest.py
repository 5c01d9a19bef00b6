"""Two companies answering their own numbers, for the Retell endpoint tests.

Acme's branch "Praxis Mitte" (Mon-Fri 9-18, Berlin) answers +49 30 901820; Globex's branch "Salon Nord"
answers +49 40 123456. Dana calls Acme from +49 151 12345678 and is a known customer there. Eve is
Globex's customer with the very same number: Acme must never see her.
"""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from org.models import Branch, Customer
from tenants.services import phone_route_add
from tests.factories.calls import call_object, signed_post
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory
from tests.personas import BERLIN, WEDNESDAY_10  # noqa: F401  (the Retell tests import them from here)

ACME_NUMBER = "+4930901820"
GLOBEX_NUMBER = "+4940123456"
DANA_PHONE = "+4915112345678"


@dataclass
class Line:
    company: object
    branch: Branch
    number: str
    customer: Customer


@pytest.fixture
def acme(company) -> Line:
    branch = BranchFactory(name="Praxis Mitte")
    ServiceFactory(name="Beratung", branches=[branch], duration_minutes=30, price="40.00")
    ServiceFactory(name="Zahnreinigung", branches=[branch], duration_minutes=60, price="89.00")
    dana = CustomerFactory(name="Dana Ruiz", phone=DANA_PHONE)
    phone_route_add(company=company, number=ACME_NUMBER, branch_id=branch.pk)
    return Line(company, branch, ACME_NUMBER, dana)


@pytest.fixture
def globex(other_company, acme) -> Line:
    with tenant_context(other_company):
        branch = BranchFactory(name="Salon Nord")
        ServiceFactory(name="Färben", branches=[branch])
        eve = CustomerFactory(name="Eve Globex", phone=DANA_PHONE)
        phone_route_add(company=other_company, number=GLOBEX_NUMBER, branch_id=branch.pk)
    connection.set_tenant(acme.company)
    return Line(other_company, branch, GLOBEX_NUMBER, eve)


@pytest.fixture
def retell_client() -> Client:
    """Retell posts to our public host; the routing is by phone number, not by host name."""
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def call_function(retell_client):
    """`call_function(name, args, call_id=...)` → the JSON answer, posted and signed as Retell would,
    during a call from Dana's phone to Acme (unless told otherwise)."""

    def run(
        name: str,
        args: dict | None = None,
        *,
        call_id: str,
        from_number: str = DANA_PHONE,
        to_number: str = ACME_NUMBER,
    ) -> dict:
        body = {
            "name": name,
            "args": args or {},
            "call": call_object(call_id, to_number=to_number, from_number=from_number),
        }
        response = signed_post(retell_client, "/webhooks/retell/functions/", body)
        assert response.status_code == 200, response.content
        return response.json()

    return run
