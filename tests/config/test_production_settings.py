"""Production settings refuse to start with development defaults (each case in a fresh interpreter)."""

import os
import subprocess
import sys

import pytest

SAFE = {
    "DEBUG": "False",
    "SECRET_KEY": "x" * 50,
    "FIELD_ENCRYPTION_KEY": "Yx8Jx4m0dS4m2pZqjH2qJ9k8vQw3nR5tU7yB1cE6fGg=",
}


def start_production(**overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **SAFE, **overrides, "DJANGO_SETTINGS_MODULE": "config.settings_production"}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
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
