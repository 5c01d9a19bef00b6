"""The people every test suite shares, and the clock they live by.

Acme's branch "Mitte" (Europe/Berlin, open Monday to Friday 9–18) offers "Haircut". Everyone logs in on
their company's host as `<name>@<company>.test` with the factories' password. A test directory may
override `mitte` or `haircut` (say, with an address or a Cal.com mapping); the personas follow.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import tenant_context

from org.models import Branch, Service, Staff
from org.roles import Role
from tests.factories.org import BranchFactory, ServiceFactory, StaffFactory

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def clock(time_machine):
    """The clock stands still on Wednesday 4 March 2026, 10:00 in Berlin (Mitte is open) until a test
    moves it with `clock.move_to(...)` or `clock.shift(...)`."""
    time_machine.move_to(WEDNESDAY_10, tick=False)
    return time_machine


@pytest.fixture
def mitte(company) -> Branch:
    return BranchFactory(name="Mitte")


@pytest.fixture
def haircut(mitte) -> Service:
    return ServiceFactory(name="Haircut", branches=[mitte])


def acme_person(name: str, role: str, *branches: Branch, **fields) -> Staff:
    """A staff member of Acme who logs in as `<name>@acme.test`."""
    username = f"{name.lower()}@acme.test"
    return StaffFactory(name=name, user__username=username, role=role, branches=list(branches), **fields)


@pytest.fixture
def anna(mitte, haircut) -> Staff:
    # Anna works the callbacks of branch Mitte and cuts hair: plain staff, she may cancel within policy
    # but never override it.
    return acme_person("Anna", Role.STAFF, mitte, services=[haircut])


@pytest.fixture
def max_manager(mitte) -> Staff:
    # Max manages Mitte: he assigns callbacks and may override a policy refusal or waive a fee, with a
    # reason; he takes no callbacks himself.
    return acme_person("Max", Role.MANAGER, mitte, accepts_callbacks=False)


@pytest.fixture
def ada(mitte) -> Staff:
    # Ada is Acme's admin: she configures the company and takes no callbacks herself.
    return acme_person("Ada", Role.ADMIN, mitte, accepts_callbacks=False)


@pytest.fixture
def eve(other_company, company) -> Staff:
    # Eve manages Globex, another company: she must never see anything of Acme's.
    with tenant_context(other_company):
        return StaffFactory(name="Eve", user__username="eve@globex.test", role=Role.MANAGER)
