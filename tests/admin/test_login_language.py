"""The language on the staff profile applies at every login (issue 13, item 5): whatever the browser says and
whatever the person switched to last time, logging in brings their profile's language
(`common.middleware.profile_language_at_login`). A switch in the menu lasts until the next login."""

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import tenant_host

LOGIN = "/admin/login/"


def _log_in(company, staff, *, browser: str, last_switch: str) -> Client:
    client = Client(HTTP_HOST=tenant_host(company.schema_name), HTTP_ACCEPT_LANGUAGE=browser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = last_switch
    credentials = {"username": staff.user.username, "password": "demo12345", "next": "/admin/"}
    response = client.post(LOGIN, credentials)
    assert response.status_code == 302, "the login failed"
    return client


@pytest.mark.parametrize(
    ("profile", "browser", "last_switch", "seen"),
    [("en", "de-DE,de;q=0.9", "de", "Callback requests"), ("de", "en-US,en;q=0.9", "en", "Rückrufanfragen")],
)
def test_the_profile_language_applies_at_login(company, anna, profile, browser, last_switch, seen):
    anna.language = profile
    anna.save(update_fields=["language"])

    client = _log_in(company, anna, browser=browser, last_switch=last_switch)
    page = client.get("/admin/callbacks/callbackrequest/")

    assert page["Content-Language"] == profile
    assert seen in page.content.decode()


def test_a_switch_in_the_menu_lasts_until_the_next_login(company, anna):
    client = _log_in(company, anna, browser="de", last_switch="de")
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})

    assert client.get("/admin/")["Content-Language"] == "en"
    client.post("/admin/logout/")
    assert _log_in(company, anna, browser="en", last_switch="en").get("/admin/")["Content-Language"] == "de"
