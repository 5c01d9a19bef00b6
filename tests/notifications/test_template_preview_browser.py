"""In a real browser: an admin edits a template and sees the preview follow as they type."""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from notifications.models import NotificationTemplate
from tests.conftest import tenant_host

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def acme(companies):
    return companies["acme"]


@pytest.fixture
def page(acme, ada, live_server, browser):
    client = Client(HTTP_HOST=tenant_host(acme.schema_name))
    client.force_login(ada.user)
    port = live_server.url.rsplit(":", 1)[1]
    base_url = f"http://{tenant_host(acme.schema_name)}:{port}"
    context = browser.new_context(locale="en-GB", base_url=base_url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": f"{base_url}/"}]
    )
    yield context.new_page()
    context.close()


def test_the_preview_follows_the_text_and_names_an_unknown_placeholder(acme, page):
    with tenant_context(acme):
        template = NotificationTemplate.objects.get(
            event_type__key="appointment.reminder", channel="sms", language="de"
        )
    page.goto(f"/admin/notifications/notificationtemplate/{template.pk}/change/")
    preview = page.locator("#notification-preview")
    expect(preview.locator(".preview-text")).to_contain_text("Erinnerung an Ihren Termin Haarschnitt")
    expect(preview.locator(".preview-sms")).to_contain_text("(gsm7)")

    page.fill("textarea[name=body]", "Hallo {{kunde}}")
    expect(preview.locator(".preview-errors")).to_contain_text("{{kunde}}")
    expect(preview.locator(".preview-text")).to_have_text("")

    page.fill("textarea[name=body]", "Hallo {{customer_name}} 😀")
    expect(preview.locator(".preview-text")).to_have_text("Hallo Erika Mustermann 😀")
    expect(preview.locator(".preview-sms")).to_contain_text("(ucs2)")
    expect(preview.locator(".preview-errors")).to_have_text("")
