"""People and places for the callback tests.

Branch "Mitte" (open Monday to Friday 9–18, Europe/Berlin) offers "Haircut".
Anna, Ben and Cem are staff at Mitte who take callbacks and cut hair; Max manages Mitte; Ada is the admin.
Unless a test travels, the clock stands still on Wednesday 4 March 2026, 10:00 in Berlin (Mitte is open).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from common.events import subscribe, unsubscribe
from org.roles import Role
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory, StaffFactory

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(WEDNESDAY_10, tick=False)
    return time_machine


@pytest.fixture
def events():
    """Every domain event emitted during the test, in order."""
    seen = []
    subscribe("*", seen.append)
    yield seen
    unsubscribe("*", seen.append)


def names(events) -> list[str]:
    return [event.name for event in events]


@pytest.fixture
def company_settings(company):
    """Override company settings for one test (in memory; the tenant object is re-read per test)."""
    original = dict(company.settings or {})

    def override(**values):
        company.settings = {**original, **values}

    yield override
    company.settings = original


@pytest.fixture
def mitte(company, clock):
    return BranchFactory(name="Mitte")


@pytest.fixture
def haircut(mitte):
    return ServiceFactory(name="Haircut", branches=[mitte])


def staff_at(branch, name, *services, **fields):
    return StaffFactory(name=name, branches=[branch], services=list(services), **fields)


@pytest.fixture
def anna(mitte, haircut):
    return staff_at(mitte, "Anna", haircut)


@pytest.fixture
def ben(mitte, haircut):
    return staff_at(mitte, "Ben", haircut)


@pytest.fixture
def cem(mitte, haircut):
    return staff_at(mitte, "Cem", haircut)


@pytest.fixture
def max_manager(mitte):
    return staff_at(mitte, "Max", role=Role.MANAGER, accepts_callbacks=False)


@pytest.fixture
def ada_admin(mitte):
    return staff_at(mitte, "Ada", role=Role.ADMIN, accepts_callbacks=False)


@pytest.fixture
def customer(company):
    return CustomerFactory(name="Clara Kundin", phone="+493012345678")


def queued_task_names(on_commit_callbacks) -> list[str]:
    """Names of the Celery tasks waiting for the commit (other on-commit work, e.g. cache bumps, ignored)."""
    return [callback.task_name for callback in on_commit_callbacks if hasattr(callback, "task_name")]
