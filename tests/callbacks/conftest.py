"""People and places for the callback tests.

Branch "Mitte" (open Monday to Friday 9–18, Europe/Berlin) offers "Haircut".
Anna (tests/personas.py), Ben and Cem are staff at Mitte who take callbacks and cut hair; Max manages
Mitte; Ada is the admin. Unless a test travels, the clock stands still on Wednesday 4 March 2026, 10:00 in
Berlin (Mitte is open): every callback test that has Mitte has the clock.
"""

import pytest

from common.events import subscribe, unsubscribe
from tests.factories.org import BranchFactory, CustomerFactory, StaffFactory


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
def mitte(company, clock):
    return BranchFactory(name="Mitte")


def staff_at(branch, name, *services, **fields):
    return StaffFactory(name=name, branches=[branch], services=list(services), **fields)


@pytest.fixture
def ben(mitte, haircut):
    return staff_at(mitte, "Ben", haircut)


@pytest.fixture
def cem(mitte, haircut):
    return staff_at(mitte, "Cem", haircut)


@pytest.fixture
def customer(company):
    return CustomerFactory(name="Clara Kundin", phone="+493012345678")


def queued_task_names(on_commit_callbacks) -> list[str]:
    """Names of the Celery tasks waiting for the commit (other on-commit work, e.g. cache bumps, ignored)."""
    return [callback.task_name for callback in on_commit_callbacks if hasattr(callback, "task_name")]
