"""Acme and Globex answering their numbers (the Retell fixtures), shared with the hostile-input tests here."""

from tests.integrations.retell.conftest import acme, globex, retell_client  # noqa: F401
