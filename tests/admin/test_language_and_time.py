"""Relative times, branch-timezone formatting and the user's language in the admin."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.utils import translation

from common.middleware import UserLanguageMiddleware, preferred_language
from common.templatetags.switchboard import local_datetime, relative_deadline, relative_past

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "german", "english"),
    [
        (timedelta(minutes=35), "in 35 Min.", "in 35 min"),
        (timedelta(hours=3, minutes=10), "in 3 Std.", "in 3 h"),
        (timedelta(days=3), "in 3 Tagen", "in 3 days"),
        (-timedelta(hours=2, minutes=5), "überfällig seit 2 Std.", "overdue by 2 h"),
        (-timedelta(minutes=20), "überfällig seit 20 Min.", "overdue by 20 min"),
        (-timedelta(days=1, hours=1), "überfällig seit 25 Std.", "overdue by 25 h"),
        (-timedelta(days=4), "überfällig seit 4 Tagen", "overdue by 4 days"),
    ],
)
def test_relative_deadline_in_both_languages(delta, german, english):
    with translation.override("de"):
        assert relative_deadline(NOW + delta, now=NOW) == german
    with translation.override("en"):
        assert relative_deadline(NOW + delta, now=NOW) == english


def test_relative_past():
    with translation.override("de"):
        assert relative_past(NOW - timedelta(minutes=5), now=NOW) == "vor 5 Min."
    with translation.override("en"):
        assert relative_past(NOW - timedelta(seconds=5), now=NOW) == "just now"


def test_no_deadline_is_an_empty_string():
    assert relative_deadline(None) == ""


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Europe/Berlin", "04.03.2026 10:00 CET"), ("America/New_York", "04.03.2026 04:00 EST")],
)
def test_times_are_shown_in_the_branch_timezone(zone, expected):
    with translation.override("de"):
        assert local_datetime(NOW, zone) == expected


def test_a_branch_object_gives_its_timezone(company):
    from tests.factories.org import BranchFactory

    branch = BranchFactory(timezone="Europe/London", hours=[])

    with translation.override("de"):
        assert local_datetime(NOW, branch) == "04.03.2026 09:00 GMT"


def _request(user=None, cookie=None):
    request = RequestFactory().get("/admin/")
    if cookie:
        request.COOKIES["django_language"] = cookie
    if user is not None:
        request.user = user
    return request


def test_company_default_language_is_german_whatever_the_browser_says(company):
    request = RequestFactory().get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert preferred_language(request) == "de"


def test_staff_profile_language_wins_over_the_company(company, anna):
    anna.language = "en"
    anna.save()

    assert preferred_language(_request(anna.user)) == "en"


def test_explicit_switch_wins_over_everything(company, anna):
    assert preferred_language(_request(anna.user, cookie="en")) == "en"
    assert preferred_language(_request(anna.user, cookie="xx")) == "de"  # unknown codes are ignored


def test_middleware_activates_the_language_for_the_request(company, anna):
    anna.language = "en"
    anna.save()
    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen["language"] = translation.get_language()
        return HttpResponse("ok")

    response = UserLanguageMiddleware(view)(_request(anna.user))

    assert seen["language"] == "en"
    assert response["Content-Language"] == "en"


def test_admin_pages_follow_the_users_language(settings, as_user, anna, callbacks):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[
            : settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
        ],
        "common.middleware.UserLanguageMiddleware",
        *settings.MIDDLEWARE[
            settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1 :
        ],
    ]
    german = (
        as_user(anna).get("/admin/callbacks/callbackrequest/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    anna.language = "en"
    anna.save()
    english = as_user(anna).get("/admin/callbacks/callbackrequest/").content.decode()

    assert "Rückrufanfragen" in german and "überfällig seit" in german
    assert "Callback requests" in english and "overdue by" in english


def test_platform_host_works_with_the_middleware(settings, public):
    from django.contrib.auth.models import User
    from django.test import Client

    auth = "django.contrib.auth.middleware.AuthenticationMiddleware"
    at = settings.MIDDLEWARE.index(auth) + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:at],
        "common.middleware.UserLanguageMiddleware",
        *settings.MIDDLEWARE[at:],
    ]
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.create_superuser("root@switchboard.test", "r@s.test", "demo12345"))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert response["Content-Language"] == "de"
