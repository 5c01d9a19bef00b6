"""The "Verbindung testen" buttons: each vendor's cheapest authenticated request, answered in words.

Retell, Cal.com and Twilio are the local stand-ins the integration tests use; email is a real local SMTP
server. Each test is one POST from Ada's settings page and the message it leaves there, in German.
"""

import uuid

import pytest

from tests.admin.test_company_settings import URL
from tests.integrations.calcom.calcom_standin import CalcomStandIn, Scripted, error_body
from tests.integrations.retell.retell_api_standin import LIST_CALLS, RetellApiStandIn
from tests.notifications.fakes import FakeTwilio, SmtpServer

TWILIO_SID, TWILIO_TOKEN = "AC" + "2" * 32, "settings-test-token"


def run(client, company, vendor: str) -> list[str]:
    """POST the test; the settings page it leads back to shows the answer."""
    response = client.post(f"{URL}connection-test/{vendor}/", follow=True)
    assert response.redirect_chain == [(f"{URL}{company.pk}/change/", 302)]
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def calcom(company, settings):
    server = CalcomStandIn().start()
    company.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    company.save()
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "CALCOM_CLIENT": {"base_url": server.url}}
    yield server
    server.stop()


@pytest.fixture
def retell(company, settings):
    server = RetellApiStandIn().start()
    company.retell_api_key = "key_acme_own"
    company.save()
    server.accounts["key_acme_own"] = []
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "RETELL_API_BASE_URL": server.url}
    yield server
    server.stop()


@pytest.fixture
def twilio(company, settings):
    server = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, set()).start()
    company.twilio_account_sid, company.twilio_auth_token = TWILIO_SID, TWILIO_TOKEN
    company.save()
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "NOTIFICATION_TWILIO_API_BASE_URL": server.base_url}
    yield server
    server.stop()


def test_the_settings_page_offers_the_four_tests_as_buttons(as_user, ada, company):
    page = as_user(ada).get(f"{URL}{company.pk}/change/").content.decode()

    section = page.split('id="connection-tests"')[1].split("</section>")[0]
    assert "Verbindung testen" in section
    for vendor in ("retell", "calcom", "twilio", "email"):
        assert f'action="{URL}connection-test/{vendor}/"' in section and 'method="post"' in section


def test_calcom_answers_with_the_account_name_or_the_refusal(as_user, ada, company, calcom):
    client = as_user(ada)

    ok = run(client, company, "calcom")
    calcom.queue(Scripted(401, error_body(401, "UnauthorizedException", "Invalid API Key")))
    refused = run(client, company, "calcom")

    assert ok == ["Cal.com: Verbindung steht (angemeldet als acme)."]
    assert refused == ["Cal.com hat die Zugangsdaten abgelehnt: Invalid API Key"]


def test_retell_accepts_the_companys_key_and_refuses_an_unknown_one(as_user, ada, company, retell):
    client = as_user(ada)

    ok = run(client, company, "retell")
    retell.accounts.clear()
    refused = run(client, company, "retell")

    assert ok == ["Retell: Verbindung steht (API-Schlüssel akzeptiert)."]
    assert refused == ["Retell hat die Zugangsdaten abgelehnt: 401"]
    assert [seen.path for seen in retell.seen] == [LIST_CALLS, LIST_CALLS]


def test_twilio_reads_the_account_and_names_a_wrong_token(as_user, ada, company, twilio):
    client = as_user(ada)

    ok = run(client, company, "twilio")
    company.twilio_auth_token = "wrong"
    company.save()
    refused = run(client, company, "twilio")

    assert ok == ["Twilio: Verbindung steht (Konto Acme)."]
    assert refused == ["Twilio hat die Zugangsdaten abgelehnt: Authenticate"]
    assert twilio.messages == []  # nothing was sent


def test_email_reaches_the_mail_server_or_says_it_cannot(as_user, ada, company, settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    client = as_user(ada)

    ok = run(client, company, "email")
    server.stop()
    down = run(client, company, "email")

    assert ok == ["E-Mail: Verbindung steht (Mailserver 127.0.0.1 hat geantwortet)."]
    assert down[0].startswith("Der Mailserver war nicht erreichbar: ")
    assert server.received == []


def test_without_a_key_nothing_is_called_and_the_page_says_so(as_user, ada, company):
    company.calcom_api_key = company.retell_api_key = company.twilio_account_sid = ""
    company.save()

    messages = run(as_user(ada), company, "twilio")

    assert messages == ["Twilio: noch keine Zugangsdaten hinterlegt."]


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_only_admins_may_test_and_only_by_post(as_user, ada, request, company, role):
    other = as_user(request.getfixturevalue(role))

    assert other.post(f"{URL}connection-test/calcom/").status_code == 403
    assert as_user(ada).get(f"{URL}connection-test/calcom/").status_code == 403
