"""The notification screens: configurations with the hierarchy, templates with a live preview, the
delivery log with resend, and each staff member's own in-app notifications."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.events import emit
from notifications.models import NotificationConfiguration, NotificationDelivery, NotificationTemplate
from notifications.tasks import send_delivery
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.notifications import NotificationConfigurationFactory as Config
from tests.factories.org import StaffFactory
from tests.notifications.fakes import twilio_error
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = NotificationDelivery.Status


@pytest.fixture
def client(tenant_client, ada):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(ada.user)
    return tenant_client


def config_form(event_type, **overrides) -> dict:
    data = {
        "event_type": event_type.pk, "channel": "email", "is_enabled": "on", "fallback_channel": "",
        "branch": "", "service": "", "staff": "", "delay_minutes": "0", "retry_count": "3",
        "retry_delays_minutes": "", "subject_de": "", "body_de": "", "subject_en": "", "body_en": "",
    }  # fmt: skip
    return {**data, **overrides}


def test_an_override_with_an_unknown_placeholder_is_refused_with_a_message_and_not_saved(client):
    event_type = NotificationTemplate.objects.get(
        event_type__key="appointment.created", channel="email", language="de"
    ).event_type
    response = client.post(
        reverse("admin:notifications_notificationconfiguration_add"),
        config_form(event_type, body_de="Hallo {{kundenname}}, {% include 'secret.html' %}"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body_de"]
    assert any("{{kundenname}}" in e for e in errors)
    assert any("{% include 'secret.html' %}" in e for e in errors)
    assert NotificationConfiguration.objects.count() == 0


def test_a_valid_branch_override_is_saved_and_its_hierarchy_shown(client, mitte):
    company_row = Config(channel="email")
    event_type = company_row.event_type
    response = client.post(
        reverse("admin:notifications_notificationconfiguration_add"),
        config_form(event_type, branch=mitte.pk, body_de="Bis bald, {{customer_name}}!"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    branch_row = NotificationConfiguration.objects.get(branch=mitte)
    page = client.get(reverse("admin:notifications_notificationconfiguration_change", args=[branch_row.pk]))
    html = page.content.decode()
    assert "➜ 3 · branch – Mitte: on" in html
    assert "4 · company – Whole company: on" in html
    assert "{{customer_name}}" in html  # the placeholder list next to the editor


def test_the_live_preview_renders_sample_data_per_channel(client):
    url = reverse("admin:notifications_notificationtemplate_preview")
    sms = client.post(
        url,
        {"channel": "sms", "language": "de", "body": "Hallo {{customer_name}} – bis {{appointment_time}}"},
    )
    assert sms.json() == {
        "ok": True,
        "subject": "",
        "text": "Hallo Erika Mustermann - bis Donnerstag, 12. März 2026, 14:30 Uhr",
        "html": "",
        "sms_segments": 1,
        "sms_encoding": "gsm7",
    }
    email = client.post(
        url, {"channel": "email", "language": "en", "subject": "Hi {{customer_name}}", "body": "<b>x</b>"}
    )
    assert email.json()["subject"] == "Hi Erika Mustermann"
    assert "&lt;b&gt;x&lt;/b&gt;" in email.json()["html"]  # the admin's text is escaped in the HTML part


def test_the_live_preview_reports_what_is_not_allowed(client):
    url = reverse("admin:notifications_notificationtemplate_preview")
    result = client.post(url, {"channel": "email", "body": "{{ customer_name|safe }}"}).json()
    assert result["ok"] is False
    assert "{{ customer_name|safe }}" in result["errors"][0]


def test_the_template_change_form_has_the_live_preview(client):
    template = NotificationTemplate.objects.get(
        event_type__key="appointment.reminder", channel="sms", language="en"
    )
    page = client.get(reverse("admin:notifications_notificationtemplate_change", args=[template.pk]))
    assert page.status_code == 200
    assert 'id="notification-preview"' in page.content.decode()


def test_the_delivery_log_filters_and_resends_failed_deliveries(client, acme, book, erika, twilio, clock):
    erika.email = ""
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    sms = NotificationDelivery.objects.get(event_type__key="appointment.created", channel="sms")
    twilio.respond_next(400, twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    send_delivery(sms.pk)
    changelist = reverse("admin:notifications_notificationdelivery_changelist")
    failed = client.get(changelist, {"status__exact": "failed"})
    assert list(failed.context["cl"].result_list) == [NotificationDelivery.objects.get(pk=sms.pk)]
    response = client.post(changelist, {"action": "resend", "_selected_action": [sms.pk]}, follow=True)
    assert "1 deliveries queued again." in response.content.decode()
    assert NotificationDelivery.objects.filter(resent_from=sms, status=Status.QUEUED).count() == 1


def test_the_delivery_log_needs_a_fixed_number_of_queries(client, acme, book):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("admin:notifications_notificationdelivery_changelist")).status_code == 200
            )
        return len(queries)

    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    list_queries()  # warms the caches the sidebar badges use
    few = list_queries()
    for days in (9, 10, 11):
        emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=days)))
    assert list_queries() == few


def test_staff_see_only_their_own_unread_notifications_and_can_mark_them_read(
    tenant_client, acme, mitte, anna
):
    ben = StaffFactory(name="Ben", branches=[mitte])
    for person in (anna, ben):
        emit(
            "callback.assigned",
            callback=AssignedCallbackFactory(
                branch=mitte, assigned_to=person, customer_name=f"Kunde von {person.name}"
            ),
        )
    for row in NotificationDelivery.objects.filter(channel="in_app"):
        send_delivery(row.pk)
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(anna.user)
    changelist = reverse("admin:notifications_inappnotification_changelist")
    page = tenant_client.get(changelist)
    assert page.status_code == 200
    [mine] = page.context["cl"].result_list
    assert mine.subject == "Rückruf zugewiesen: Kunde von Anna"
    tenant_client.post(changelist, {"action": "mark_read", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.read_at is not None
    other = NotificationDelivery.objects.get(channel="in_app", staff=ben)
    assert (
        tenant_client.get(
            reverse("admin:notifications_inappnotification_change", args=[other.pk])
        ).status_code
        == 302
    )


def test_plain_staff_cannot_open_the_configuration_screens(tenant_client, anna):
    tenant_client.force_login(anna.user)
    response = tenant_client.get(reverse("admin:notifications_notificationconfiguration_changelist"))
    assert response.status_code == 403
    preview = tenant_client.post(reverse("admin:notifications_notificationtemplate_preview"), {"body": "x"})
    assert preview.status_code == 403


def test_the_overview_shows_defaults_and_every_override_per_event_and_channel(client, mitte, anna):
    Config(channel="email", branch=mitte, is_enabled=False)
    Config(channel="whatsapp", staff=anna, fallback_channel="sms")
    page = client.get(reverse("admin:notifications_notificationconfiguration_overview"))
    assert page.status_code == 200
    rows = {(r.event_type.key, r.channel): r for r in page.context["rows"]}
    email, whatsapp = rows["appointment.created", "email"], rows["appointment.created", "whatsapp"]
    assert (email.default_on, [c.target_label for c in email.rows]) == (True, ["Mitte"])
    assert (whatsapp.default_on, [c.target_label for c in whatsapp.rows]) == (False, ["Anna"])
    assert ("callback.escalated", "slack") in rows
    assert "fallback SMS" in page.content.decode()  # the channel by its name, not its code
