"""Ada has enrolled an authenticator app: her password alone no longer logs her in, her code does.

On the platform host, with OTP_REQUIRED_FOR_PLATFORM_ADMINS on (production), an admin without a device is
refused.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.oath import totp

from accounts.services import totp_enrol
from accounts.two_factor import ENROLMENT_REQUIRED, TOKEN_INVALID
from tests.conftest import tenant_host

LOGIN = "/admin/login/"


def log_in(client: Client, username: str, token: str = ""):
    return client.post(
        LOGIN, {"username": username, "password": "demo12345", "otp_token": token, "next": "/admin/"}
    )


def english_client(host: str) -> Client:
    client = Client(HTTP_HOST=host)
    client.cookies["django_language"] = "en"
    return client


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def acme_login(company) -> Client:
    return english_client(tenant_host(company.schema_name))


@pytest.fixture
def ada_device(ada):
    return totp_enrol(user=ada.user)


def test_the_password_alone_is_refused_once_a_device_is_enrolled(acme_login, ada, ada_device):
    response = log_in(acme_login, ada.user.username)

    assert response.status_code == 200
    assert str(TOKEN_INVALID) in response.content.decode()
    assert "_auth_user_id" not in acme_login.session


def test_a_wrong_code_is_refused(acme_login, ada, ada_device):
    wrong = f"{(int(current_code(ada_device)) + 1) % 1_000_000:06d}"

    response = log_in(acme_login, ada.user.username, wrong)

    assert response.status_code == 200
    assert str(TOKEN_INVALID) in response.content.decode()


def test_the_current_code_logs_in(acme_login, ada, ada_device):
    response = log_in(acme_login, ada.user.username, current_code(ada_device))

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_without_a_device_the_password_is_enough(acme_login, anna):
    assert log_in(acme_login, anna.user.username).status_code == 302


def test_the_login_page_offers_the_code_field(acme_login):
    html = acme_login.get(LOGIN).content.decode()

    assert 'name="otp_token"' in html
    assert 'form="login-form"' in html


@pytest.fixture
def platform_admin(public) -> User:
    return User.objects.create_superuser("platform@switchboard.test", "p@s.test", "demo12345")


@override_settings(OTP_REQUIRED_FOR_PLATFORM_ADMINS=True)
def test_a_platform_admin_without_a_device_is_refused_when_required(platform_admin):
    response = log_in(english_client("localhost"), platform_admin.username)

    assert response.status_code == 200
    assert str(ENROLMENT_REQUIRED) in response.content.decode()


@override_settings(OTP_REQUIRED_FOR_PLATFORM_ADMINS=True)
def test_a_platform_admin_with_a_device_logs_in_with_the_code(platform_admin):
    device = totp_enrol(user=platform_admin)

    response = log_in(english_client("localhost"), platform_admin.username, current_code(device))

    assert response.status_code == 302


@override_settings(OTP_REQUIRED_FOR_PLATFORM_ADMINS=True)
def test_company_admins_need_no_device_when_only_platform_admins_must(acme_login, ada):
    assert log_in(acme_login, ada.user.username).status_code == 302
