"""Ada turns on two-factor authentication herself: scan the key, confirm with a code, and from then on her
login needs a code. The platform admin does the same on the platform host."""

from base64 import b32encode
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

SETUP = "/admin/two-factor/"


def code_of(device: TOTPDevice, shift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits) + shift
    return f"{value % 1_000_000:06d}"


def test_the_setup_page_shows_a_qr_code_and_the_key(ada, as_user):
    response = as_user(ada).get(SETUP)

    device = TOTPDevice.objects.get(user=ada.user)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert b32encode(device.bin_key).decode() in html
    assert not device.confirmed


def test_a_wrong_code_leaves_two_factor_off(ada, as_user):
    client = as_user(ada)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=ada.user)

    response = client.post(SETUP, {"otp_token": code_of(device, shift=1)})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=ada.user, confirmed=True).exists()


def test_the_current_code_turns_two_factor_on(ada, as_user):
    client = as_user(ada)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=ada.user)

    response = client.post(SETUP, {"otp_token": code_of(device)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert TOTPDevice.objects.get(user=ada.user).confirmed


def test_the_dropdown_links_to_the_setup(ada, as_user):
    assert SETUP in as_user(ada).get("/admin/").content.decode()


def test_the_setup_needs_a_login(tenant_client):
    response = tenant_client.get(SETUP)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_platform_admin_turns_two_factor_on_on_the_platform_host(public):
    admin_user = User.objects.create_superuser("platform@switchboard.test", "p@s.test", "demo12345")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin_user)

    response = client.post(SETUP, {"otp_token": code_of(device)})

    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=admin_user).confirmed


def test_an_operator_enrols_a_device_from_the_command_line(ada):
    out = StringIO()

    call_command("totp_enrol", ada.user.username, stdout=out)

    assert TOTPDevice.objects.get(user=ada.user).confirmed
    assert out.getvalue().startswith("otpauth://totp/")
