"""With DEBUG off, errors show Switchboard's own pages in the visitor's language, never Django's internals."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import translation

pytestmark = pytest.mark.django_db

URL_LIST_MARKER = "URLconf"  # Django's technical 404 lists the URL patterns under this word


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def test_a_missing_page_on_a_company_host_is_the_branded_page_in_german(tenant_client):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = tenant_client.get("/no-such-page")

    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
    assert URL_LIST_MARKER not in response.content.decode()


def test_a_missing_page_on_the_public_host_is_the_branded_page_in_german(public_client):
    public_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = public_client.get("/no-such-page")

    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
    assert URL_LIST_MARKER not in response.content.decode()


def test_a_missing_page_speaks_english_to_whoever_chose_english(public_client):
    public_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = public_client.get("/no-such-page")

    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_the_500_page_renders_without_touching_the_database(urlconf, django_assert_num_queries):
    handler = get_resolver(urlconf).resolve_error_handler(500)

    with translation.override("de"), django_assert_num_queries(0):
        response = handler(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.content.decode()
