"""The organisation tests log in as the personas (tests/personas.py) on Acme's host."""

from tests.audit.conftest import as_user  # noqa: F401
