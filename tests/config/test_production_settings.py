"""Production settings refuse to start with development defaults and turn on HTTPS-only headers and
cookies (each case in a fresh interpreter)."""

import json
import os
import subprocess
import sys

import pytest

SAFE = {
    "DEBUG": "False",
    "SECRET_KEY": "x" * 50,
    "FIELD_ENCRYPTION_KEY": "Yx8Jx4m0dS4m2pZqjH2qJ9k8vQw3nR5tU7yB1cE6fGg=",
}


def start_production(*, code: str = "import django; django.setup(); print('started')", **overrides: str):
    # The browser tests allow async-unsafe access in this process; a production process never does.
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**inherited, **SAFE, **overrides, "DJANGO_SETTINGS_MODULE": "config.settings_production"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_safe_settings():
    result = start_production()
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "True"}, "DEBUG must be off in production"),
        ({"SECRET_KEY": "dev-insecure-secret-key-change-me"}, "SECRET_KEY is the development default"),
        (
            {"FIELD_ENCRYPTION_KEY": "bWvFJ7yKQm0wN3nq0bUOFn9Qp7hZ8X2kY5cV6rT1sLE="},
            "FIELD_ENCRYPTION_KEY is the development",
        ),
    ],
)
def test_production_refuses_unsafe_defaults(overrides, message):
    result = start_production(**overrides)
    assert result.returncode != 0
    assert message in result.stderr


PRINT_SECURITY_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
         "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "OTP_REQUIRED_FOR_PLATFORM_ADMINS",
         "TRUSTED_PROXY_COUNT"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def test_production_sends_https_only_headers_and_cookies():
    result = start_production(code=PRINT_SECURITY_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)

    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 180
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_production_requires_two_factor_for_platform_admins_and_trusts_one_proxy():
    values = json.loads(start_production(code=PRINT_SECURITY_SETTINGS).stdout)

    assert values["OTP_REQUIRED_FOR_PLATFORM_ADMINS"] is True
    assert values["TRUSTED_PROXY_COUNT"] == 1


def test_production_passes_djangos_deployment_checks():
    varied_key = "".join(chr(33 + (i * 7) % 90) for i in range(60))
    result = start_production(
        code="from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        SECRET_KEY=varied_key,
    )

    assert result.returncode == 0, result.stderr
