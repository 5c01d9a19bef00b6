"""The German catalogue from the tree for the organisation screens' tests (as tests/admin/conftest.py)."""

import pytest
from django.test import override_settings

from tests.admin.catalogue import compile_catalogue


@pytest.fixture(scope="module")
def _catalogue(tmp_path_factory):
    return compile_catalogue(tmp_path_factory.mktemp("locale"))


@pytest.fixture
def german(_catalogue):
    with override_settings(LOCALE_PATHS=[_catalogue]):
        yield
