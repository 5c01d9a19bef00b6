""" "Verbindung testen" on the company's settings page: Retell, Cal.com, Twilio and email.

Each check is one request to the vendor's cheapest authenticated endpoint through the client we already
use for it, with a short timeout, and answers in words (a success or an error message on the page).
Nothing is changed anywhere; a check with no key stored says so without calling out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import httpx
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.cache import tenant_key
from common.conf import current_company_fresh, platform_setting
from common.outbound import OutboundRefused, guarded_client
from common.redis import get_redis
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from integrations.calcom.errors import CalcomAuthenticationFailed, CalcomError, CalcomUnavailable
from integrations.retell.reconcile import retell_api

TIMEOUT_SECONDS = 5.0
NO_KEY = _("%(vendor)s: no access data stored yet.")
CONNECTED = _("%(vendor)s: connected (%(detail)s).")
REFUSED = _("%(vendor)s refused the access data: %(message)s")
UNREACHABLE = _("%(vendor)s could not be reached: %(message)s")


class CheckFailed(Exception):
    """A check's answer in words, shown as an error."""


def check_retell() -> str:
    """Lists one call (`POST /v3/list-calls`, limit 1): the smallest request the key must sign."""
    from retell import APIConnectionError, APIStatusError

    company = current_company_fresh()
    key = str(company.retell_api_key or "") or settings.RETELL_API_KEY
    if not key:
        raise CheckFailed(NO_KEY % {"vendor": "Retell"})
    client = retell_api(key).with_options(timeout=TIMEOUT_SECONDS, max_retries=0)
    try:
        client.call.list(limit=1)
    except APIStatusError as error:
        raise CheckFailed(REFUSED % {"vendor": "Retell", "message": error.status_code}) from error
    except APIConnectionError as error:
        raise CheckFailed(UNREACHABLE % {"vendor": "Retell", "message": error}) from error
    return gettext("API key accepted")


def check_calcom() -> str:
    """Reads the key's own profile (`GET /v2/me`), once, without retries."""
    company = current_company_fresh()
    if not company.calcom_api_key:
        raise CheckFailed(NO_KEY % {"vendor": "Cal.com"})
    tuned = calcom_client_for_current_company().settings
    quick = replace(
        tuned,
        connect_timeout=min(tuned.connect_timeout, TIMEOUT_SECONDS),
        read_timeout=min(tuned.read_timeout, TIMEOUT_SECONDS),
        attempts=1,
    )
    client = CalcomClient(
        api_key=str(company.calcom_api_key), redis_client=get_redis(), key=tenant_key, settings=quick
    )
    try:
        me = client.me()
    except CalcomAuthenticationFailed as error:
        raise CheckFailed(REFUSED % {"vendor": "Cal.com", "message": error}) from error
    except CalcomUnavailable as error:
        raise CheckFailed(UNREACHABLE % {"vendor": "Cal.com", "message": error}) from error
    except CalcomError as error:
        raise CheckFailed(REFUSED % {"vendor": "Cal.com", "message": error}) from error
    return gettext("signed in as %(username)s") % {"username": me.get("username", "?")}


def check_twilio() -> str:
    """Reads the account resource (`GET /2010-04-01/Accounts/{sid}.json`) with the account's basic auth."""
    company = current_company_fresh()
    sid, token = str(company.twilio_account_sid or ""), str(company.twilio_auth_token or "")
    if not (sid and token):
        raise CheckFailed(NO_KEY % {"vendor": "Twilio"})
    base = platform_setting("NOTIFICATION_TWILIO_API_BASE_URL").rstrip("/")
    try:
        with guarded_client(timeout=TIMEOUT_SECONDS) as client:
            response = client.get(f"{base}/2010-04-01/Accounts/{sid}.json", auth=(sid, token))
    except (OutboundRefused, httpx.HTTPError) as error:
        raise CheckFailed(UNREACHABLE % {"vendor": "Twilio", "message": error}) from error
    if not response.is_success:
        message = _json_message(response)
        raise CheckFailed(REFUSED % {"vendor": "Twilio", "message": message})
    return gettext("account %(name)s") % {"name": response.json().get("friendly_name") or sid}


def check_email() -> str:
    """Opens (and closes) a connection to the mail server, logging in when a user is configured."""
    connection = get_connection(fail_silently=False, timeout=TIMEOUT_SECONDS)
    try:
        connection.open()
    except Exception as error:  # smtplib and socket errors alike: the answer is the words
        raise CheckFailed(UNREACHABLE % {"vendor": gettext("The mail server"), "message": error}) from error
    finally:
        connection.close()
    host = getattr(connection, "host", "")
    return gettext("mail server %(host)s answered") % {"host": host} if host else gettext("ready")


def _json_message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message") or response.status_code)
    except ValueError:
        return str(response.status_code)


CHECKS: dict[str, tuple[str, Callable[[], str]]] = {
    "retell": ("Retell", check_retell),
    "calcom": ("Cal.com", check_calcom),
    "twilio": ("Twilio", check_twilio),
    "email": ("E-Mail", check_email),
}


class ConnectionTestsMixin:
    """Adds `connection-test/<vendor>/` (POST only) to the settings admin and the buttons' names."""

    change_form_template = "admin/tenants/company/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.connection_test_view)
        route = path("connection-test/<str:vendor>/", view, name="company_connection_test")
        return [route, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        tests = [(vendor, label) for vendor, (label, _check) in CHECKS.items()]
        extra = {**(extra_context or {}), "connection_tests": tests}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def connection_test_view(self, request: HttpRequest, vendor: str) -> HttpResponse:
        if not self._allowed(request) or request.method != "POST" or vendor not in CHECKS:
            raise PermissionDenied
        label, check = CHECKS[vendor]
        try:
            detail = check()
        except CheckFailed as failure:
            messages.error(request, str(failure))
        else:
            messages.success(request, CONNECTED % {"vendor": label, "detail": detail})
        company = current_company_fresh()
        return HttpResponseRedirect(reverse("admin:tenants_company_change", args=[company.pk]))
