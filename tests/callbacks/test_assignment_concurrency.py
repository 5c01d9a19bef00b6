"""Parallel workers never push anyone over their maximum and never assign one callback twice.

Real PostgreSQL connections from several threads, all released at the same moment by a barrier; the
rows are committed (transactional test) so the workers really compete for the locks.
"""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.services import callback_auto_assign, callback_create
from org.models import Branch, Service, Staff
from tests.factories.callbacks import CallbackRequestFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

WORKERS = 8


def run_in_parallel(company, jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def work(job):
        try:
            connection.set_tenant(company)
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # collected and re-raised in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.fixture
def cleanup(company):
    """Committed rows outlive a transactional test in the tenant schema (only public tables are flushed)."""
    yield
    connection.set_tenant(company)
    remove_committed_rows()


def remove_committed_rows():
    CallbackRequest.all_objects.all().delete()
    Staff.objects.all().delete()
    User.objects.all().delete()
    Service.objects.all().delete()
    Branch.objects.all().delete()


def test_parallel_workers_never_exceed_anyones_maximum(company, mitte, anna, ben, cleanup):
    for person in (anna, ben):
        person.max_open_callbacks = 2
        person.save()
    callbacks = [CallbackRequestFactory(branch=mitte) for _ in range(WORKERS)]
    run_in_parallel(company, [lambda pk=c.pk: callback_auto_assign(callback=pk) for c in callbacks])
    connection.set_tenant(company)
    assigned = CallbackRequest.objects.filter(status=CallbackRequest.Status.ASSIGNED)
    assert assigned.filter(assigned_to=anna).count() == 2
    assert assigned.filter(assigned_to=ben).count() == 2
    assert CallbackRequest.objects.filter(status=CallbackRequest.Status.PENDING).count() == WORKERS - 4


def test_parallel_workers_assign_one_callback_only_once(company, mitte, anna, ben, cem, cleanup):
    callback = CallbackRequestFactory(branch=mitte)
    run_in_parallel(company, [lambda: callback_auto_assign(callback=callback.pk) for _ in range(WORKERS)])
    connection.set_tenant(company)
    assert CallbackEvent.objects.filter(callback=callback.pk, kind=CallbackEvent.Kind.ASSIGNED).count() == 1
    callback.refresh_from_db()
    assert callback.status == CallbackRequest.Status.ASSIGNED


def test_simultaneous_requests_from_one_caller_create_a_single_callback(company, mitte, cleanup):
    def request(notes):
        return lambda: callback_create(branch_id=mitte.pk, phone="+491711234567", notes=notes)

    run_in_parallel(company, [request(f"Anruf {n}") for n in range(WORKERS)])
    connection.set_tenant(company)
    callback = CallbackRequest.objects.get()
    assert all(f"Anruf {n}" in callback.notes for n in range(WORKERS))
