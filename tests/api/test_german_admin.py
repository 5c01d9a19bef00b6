"""Ada (Acme's admin) works in German: the admin screens of API keys, outbound webhooks (endpoints, delivery
log, redeliver), the history pages and the company-wide activity list show no English words.

The catalogue is the one in the tree, compiled for the test (tests/admin/catalogue.py)."""

import re
from html.parser import HTMLParser

import pytest
from django.test import override_settings
from django.utils import timezone

from api.models import ApiKey
from api.services import api_key_create
from tests.admin.catalogue import compile_catalogue
from tests.audit.conftest import as_user  # noqa: F401 (fixture)
from tests.factories.webhooks import WebhookEndpointFactory
from webhooks.models import EventType, WebhookDelivery
from webhooks.services import deliveries_create

# The English words of these screens: labels, columns, filters, actions, choices, help texts, messages.
# (Words German shares, such as Name, Status, URL, Filter, ID, are left out.)
ENGLISH = [
    "API key", "API keys", "Prefix", "prefix", "Scope", "scope", "Read", "Read and write", "Created",
    "Last used", "Revoked", "Revoke the selected keys", "Copy the key now",
    "Outbound webhooks", "Webhook endpoint", "Webhook endpoints", "webhook endpoint", "Events", "events",
    "Description", "Active", "Failing since", "Disabled automatically", "Why it was disabled",
    "Signing secret", "Rotate signing secret", "shown only now",
    "Webhook deliveries", "Webhook delivery", "webhook delivery", "Endpoint", "Message id", "Event",
    "Request body", "Pending", "Succeeded", "Failed", "Attempts", "Next attempt", "Last attempt",
    "Response code", "Response body", "Duration", "Error", "Redeliver", "queued again",
    "View history", "history_actor", "Changes", "Changed by", "Date/time",
    "Activity", "Every change", "When", "Record", "record", "By", "by", "all", "No changes recorded",
    "Newer", "Older", "Description",
]  # fmt: skip


class VisibleText(HTMLParser):
    """The text a person sees: element text and the titles and placeholders shown on hover or when empty;
    not scripts, styles or the hidden parts of a template."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_words_in(text: str) -> list[str]:
    return [word for word in ENGLISH if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


@pytest.fixture(scope="module")
def _compiled_catalogue(tmp_path_factory):
    return compile_catalogue(tmp_path_factory.mktemp("locale"))


@pytest.fixture(autouse=True)
def _german_catalogue(_compiled_catalogue):
    with override_settings(LOCALE_PATHS=[_compiled_catalogue]):
        yield


@pytest.fixture
def records(company, ada):
    """A key, an endpoint (changed once, for its history) and one failed delivery to it."""
    key = api_key_create(name="Praxissoftware", scope=ApiKey.Scope.READ, by=ada.user).key
    endpoint = WebhookEndpointFactory(url="https://crm.example.test/hooks", description="CRM")
    endpoint.description = "CRM (neu)"
    endpoint.save()
    [delivery] = deliveries_create(
        event_type=EventType.CALLBACK_CREATED, data={"callback": {"id": 1}}, occurred_at=timezone.now()
    )
    delivery.status, delivery.attempts, delivery.error = WebhookDelivery.Status.FAILED, 3, "HTTP 500"
    delivery.response_status, delivery.duration_ms = 500, 120
    delivery.save()
    return {"key": key, "endpoint": endpoint, "delivery": delivery}


PAGES = [
    "/admin/api/apikey/",
    "/admin/api/apikey/add/",
    "/admin/api/apikey/{key}/change/",
    "/admin/api/apikey/{key}/history/",
    "/admin/webhooks/webhookendpoint/",
    "/admin/webhooks/webhookendpoint/add/",
    "/admin/webhooks/webhookendpoint/{endpoint}/change/",
    "/admin/webhooks/webhookendpoint/{endpoint}/history/",
    "/admin/webhooks/webhookdelivery/",
    "/admin/webhooks/webhookdelivery/{delivery}/change/",
    "/admin/tenants/company/activity/",
]


@pytest.mark.parametrize("page", PAGES)
def test_the_page_speaks_german_to_a_german_admin(as_user, ada, records, page):  # noqa: F811
    url = page.format(**{name: record.pk for name, record in records.items()})

    response = as_user(ada).get(url)

    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    english = english_words_in(visible_text(response.content.decode()))
    assert not english, f"English on {url}: {english}"


def test_the_messages_after_creating_rotating_and_redelivering_are_german(as_user, ada, records):  # noqa: F811
    admin = as_user(ada)
    endpoint = {"url": "https://bi.example.test/hooks", "events": [EventType.APPOINTMENT_CREATED]}
    chosen = {"endpoint": records["endpoint"].pk, "delivery": records["delivery"].pk}
    pages = {
        "key created": admin.post("/admin/api/apikey/add/", {"name": "BI", "scope": "read"}, follow=True),
        "endpoint created": admin.post("/admin/webhooks/webhookendpoint/add/", endpoint, follow=True),
        "secret rotated": admin.post(
            "/admin/webhooks/webhookendpoint/",
            {"action": "rotate_secret", "_selected_action": [chosen["endpoint"]]},
            follow=True,
        ),
        "redelivered": admin.post(
            "/admin/webhooks/webhookdelivery/",
            {"action": "redeliver", "_selected_action": [chosen["delivery"]]},
            follow=True,
        ),
    }

    shown = {what: " | ".join(str(m) for m in page.context["messages"]) for what, page in pages.items()}
    assert "sb_" in shown["key created"] and "whsec_" in shown["endpoint created"], shown
    assert "whsec_" in shown["secret rotated"] and "1" in shown["redelivered"], shown
    assert {what: english_words_in(text) for what, text in shown.items()} == dict.fromkeys(shown, [])


def test_the_check_finds_english_words():
    """The check itself: English in a cell or a title is found, German and page data are not."""
    html = '<td title="Redeliver">Versuche</td><td>Last used</td><script>var Event = 1;</script>'

    assert english_words_in(visible_text(html)) == ["Last used", "Redeliver"]


@pytest.mark.parametrize(
    "page", ["/admin/api/apikey/{key}/change/", "/admin/webhooks/webhookendpoint/{endpoint}/change/"]
)
def test_a_records_history_is_its_aenderungsverlauf_not_geschichte(as_user, ada, records, page):  # noqa: F811
    url = page.format(**{name: record.pk for name, record in records.items()})

    text = visible_text(as_user(ada).get(url).content.decode())

    assert "Änderungsverlauf" in text and "Geschichte" not in text
