"""People and places for the admin tests.

Acme has two branches, neither with opening hours: "Mitte" (Anna and Ben are staff there, Max manages it)
and "Nord" (Nora works there). Ada is Acme's admin. Eve is the manager of Globex, another company (Anna, Max,
Ada and Eve come from tests/personas.py). Everyone logs in on their company's host with the password
"demo12345".
"""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from callbacks.models import CallbackRequest
from org.roles import Role
from tests.admin.catalogue import compile_catalogue
from tests.conftest import tenant_host
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory
from tests.personas import acme_person


@pytest.fixture(scope="session")
def _compiled_catalogue(tmp_path_factory):
    return compile_catalogue(tmp_path_factory.mktemp("locale"))


@pytest.fixture(autouse=True)
def _german_catalogue(_compiled_catalogue):
    """The German UI comes from the catalogue in the tree (see tests/admin/catalogue.py)."""
    with override_settings(LOCALE_PATHS=[_compiled_catalogue]):
        yield


@pytest.fixture
def mitte(company):
    return BranchFactory(name="Mitte", hours=[])


@pytest.fixture
def nord(company):
    return BranchFactory(name="Nord", hours=[])


@pytest.fixture
def ben(mitte, haircut):
    return acme_person("Ben", Role.STAFF, mitte, services=[haircut])


@pytest.fixture
def nora(nord):
    return acme_person("Nora", Role.STAFF, nord)


def login(company, user) -> Client:
    client = Client(HTTP_HOST=tenant_host(company.schema_name))
    client.force_login(user)
    return client


@pytest.fixture
def as_user(company):
    """`as_user(staff)` → a test client logged in as that staff member on Acme's host."""
    return lambda staff: login(company, staff.user)


@pytest.fixture
def callbacks(mitte, nord, anna, ben, nora, haircut):
    """One callback in each situation the role rules distinguish."""
    now = timezone.now()
    return {
        "anna_own": AssignedCallbackFactory(
            branch=mitte, assigned_to=anna, customer_name="Anna Eigen", phone="+4930111111"
        ),
        "ben_own": AssignedCallbackFactory(
            branch=mitte, assigned_to=ben, customer_name="Ben Eigen", phone="+4930222222"
        ),
        "mitte_open": CallbackRequestFactory(
            branch=mitte, service=haircut, customer_name="Mitte Offen", phone="+4930333333"
        ),
        "nord_open": CallbackRequestFactory(branch=nord, customer_name="Nord Offen", phone="+4940444444"),
        "nord_nora": AssignedCallbackFactory(
            branch=nord, assigned_to=nora, customer_name="Nord Nora", phone="+4940555555"
        ),
        "overdue": AssignedCallbackFactory(
            branch=mitte,
            assigned_to=anna,
            customer_name="Anna Überfällig",
            phone="+4930666666",
            expires_at=now - timedelta(hours=2),
        ),
    }


def changelist_url() -> str:
    return "/admin/callbacks/callbackrequest/"


def change_url(callback: CallbackRequest) -> str:
    return f"/admin/callbacks/callbackrequest/{callback.pk}/change/"
