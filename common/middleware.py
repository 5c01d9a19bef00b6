"""The admin speaks the user's language: their explicit choice, else their staff profile, else the company's.

Runs after `AuthenticationMiddleware` (it needs `request.user`). Browser `Accept-Language` is deliberately
ignored: a company's default language is German whatever the browser says; each user can switch with the
language menu (Django's `set_language` view stores the choice in the language cookie). At every login the
staff profile's language replaces that choice (`profile_language_at_login`): a switch lasts until logging
out, the profile is what a person gets when they come back, on any browser.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from common.conf import current_company

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _staff_language(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.staff.language
    except (ObjectDoesNotExist, AttributeError):
        return None


def preferred_language(request: HttpRequest) -> str:
    company = current_company()  # None on the platform host, whose schema has no staff profiles
    candidates = (
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        _staff_language(request) if company is not None else None,
        company.language if company is not None else None,
        settings.LANGUAGE_CODE,
    )
    return next(code for code in candidates if code in SUPPORTED)


def profile_language_at_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """`user_logged_in` receiver: the response to the login sets the language cookie to the profile's."""
    if request is None or current_company() is None:  # the platform's host has no staff profiles
        return
    language = _staff_language(request)  # `login()` has set request.user to the new user
    if language in SUPPORTED:
        request.profile_language = language


def _remember(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if profile_language := getattr(request, "profile_language", None):
            _remember(response, profile_language)
        return response
