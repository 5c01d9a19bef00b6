"""Five wrong passwords lock that username from that address for 15 minutes (django-axes, per schema).

Ben is the account under attack; Anna works beside him; Eve logs in on Globex's host with the same
address. A lock on Ben must not reach them, and a company admin can lift it.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.conftest import tenant_host

LOGIN = "/admin/login/"
LOCKOUT_MESSAGE = "Too many failed logins"


def browser_for(company, address: str = "203.0.113.7") -> Client:
    client = Client(HTTP_HOST=tenant_host(company.schema_name), REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def log_in(client: Client, username: str, password: str = "demo12345"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def fail_until_locked(client: Client, username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, username, "wrong-password")


@pytest.fixture
def attacked(company, ben):
    """Ben's login has just been locked by guesses from one address."""
    client = browser_for(company)
    fail_until_locked(client, ben.user.username)
    return client


def test_wrong_passwords_are_answered_normally_until_the_limit(company, ben):
    client = browser_for(company)
    response = log_in(client, ben.user.username, "wrong-password")

    assert response.status_code == 200
    assert "Please enter the correct" in response.content.decode()


def test_the_right_password_is_refused_once_locked(attacked, ben):
    response = log_in(attacked, ben.user.username)

    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in attacked.session


def test_the_lockout_page_speaks_german(attacked, ben):
    attacked.cookies["django_language"] = "de"

    response = log_in(attacked, ben.user.username)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Zu viele fehlgeschlagene Anmeldungen" in html
    assert "in 15 Minuten erneut" in html


def test_the_login_works_again_after_the_cool_off(company, ben, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = browser_for(company)
    fail_until_locked(client, ben.user.username)

    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    response = log_in(client, ben.user.username)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_company_admin_unlocks_the_login(attacked, ben, ada, as_user):
    admin_client = as_user(ada)
    attempts = AccessAttempt.objects.filter(username=ben.user.username)

    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": list(attempts.values_list("pk", flat=True))},
    )

    assert response.status_code == 302
    assert not attempts.exists()
    assert log_in(attacked, ben.user.username).status_code == 302


def test_staff_cannot_see_the_locked_logins(attacked, anna, as_user):
    assert as_user(anna).get("/admin/axes/accessattempt/").status_code == 403


def test_another_account_from_the_same_address_still_logs_in(attacked, anna):
    assert log_in(attacked, anna.user.username).status_code == 302


def test_the_same_account_from_another_address_still_logs_in(attacked, company, ben):
    elsewhere = browser_for(company, address="198.51.100.20")

    assert log_in(elsewhere, ben.user.username).status_code == 302


def test_a_lock_on_one_company_does_not_reach_another(attacked, other_company, eve):
    globex = browser_for(other_company)

    assert log_in(globex, eve.user.username).status_code == 302
    with tenant_context(other_company):
        assert not AccessAttempt.objects.exists()


def test_the_platform_admin_host_counts_its_own_failures(public):
    from django.contrib.auth.models import User

    User.objects.create_superuser("platform@switchboard.test", "p@s.test", "demo12345")
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.7")
    fail_until_locked(client, "platform@switchboard.test")

    assert log_in(client, "platform@switchboard.test").status_code == 429
