"""Configurations per staff → service → branch → company: the most specific row decides, per channel."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from common.events import emit
from notifications.models import (
    CHANNEL_NOT_FOR_EVENT,
    FALLBACK_SAME_AS_CHANNEL,
    NotificationConfiguration,
    NotificationDelivery,
    NotificationTemplate,
)
from notifications.rendering import UNKNOWN_PLACEHOLDER
from tests.factories.notifications import NotificationConfigurationFactory as Config
from tests.factories.org import BranchFactory, StaffFactory
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db


def confirmation_channels(book) -> list[str]:
    appointment = book(WEDNESDAY_10 + timedelta(days=8))
    emit("appointment.created", appointment=appointment)
    rows = NotificationDelivery.objects.filter(appointment=appointment, event_type__key="appointment.created")
    return sorted(r.channel for r in rows if r.status == NotificationDelivery.Status.QUEUED)


def test_without_configuration_the_registry_defaults_apply(acme, book):
    assert confirmation_channels(book) == ["email"]


def test_a_company_row_switches_a_channel_on(acme, book):
    Config(channel="whatsapp")
    assert confirmation_channels(book) == ["email", "whatsapp"]


def test_the_branch_row_wins_over_the_company_row(acme, book, mitte):
    Config(channel="whatsapp")
    Config(channel="whatsapp", branch=mitte, is_enabled=False)
    assert confirmation_channels(book) == ["email"]


def test_the_service_row_wins_over_the_branch_row(acme, book, mitte, haircut):
    Config(channel="sms", branch=mitte, is_enabled=False)
    Config(channel="sms", service=haircut)
    assert confirmation_channels(book) == ["email", "sms"]


def test_the_staff_row_wins_over_everything(acme, book, mitte, haircut, anna):
    Config(channel="email", is_enabled=False)
    Config(channel="email", service=haircut, is_enabled=False)
    Config(channel="email", staff=anna)
    assert confirmation_channels(book) == ["email"]


def test_another_branchs_row_does_not_apply(acme, book):
    Config(channel="email", branch=BranchFactory(name="Kreuzberg"), is_enabled=False)
    assert confirmation_channels(book) == ["email"]


def test_a_staff_members_own_row_decides_their_in_app_and_email_notices(acme, mitte, anna):
    from tests.factories.callbacks import AssignedCallbackFactory

    Config(event="callback.assigned", channel="email", staff=anna, is_enabled=False)
    ben = StaffFactory(name="Ben", branches=[mitte])
    for person in (anna, ben):
        emit("callback.assigned", callback=AssignedCallbackFactory(branch=mitte, assigned_to=person))
    channels = {(r.staff.name, r.channel) for r in NotificationDelivery.objects.all()}
    assert channels == {("Anna", "in_app"), ("Ben", "in_app"), ("Ben", "email")}


def test_a_template_override_replaces_the_default_text_in_that_language(acme, book):
    Config(
        channel="email",
        subject_de="Bis bald, {{customer_name}}",
        body_de="Wir sehen uns {{appointment_date}}.",
    )
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    row = NotificationDelivery.objects.get(event_type__key="appointment.created")
    assert (row.subject, row.body) == (
        "Bis bald, Erika Mustermann",
        "Wir sehen uns Donnerstag, 12. März 2026.",
    )


def test_one_row_per_target_event_and_channel(acme, mitte):
    Config(channel="email", branch=mitte)
    with pytest.raises(Exception, match="notification_config_one_per_target_event_channel"):
        Config(channel="email", branch=mitte)


def test_two_company_rows_for_the_same_event_and_channel_are_refused(acme):
    Config(channel="email")
    with pytest.raises(Exception, match="notification_config_one_per_target_event_channel"):
        Config(channel="email")


def test_an_override_with_an_unknown_placeholder_is_refused_with_a_message_naming_it(acme):
    config = Config.build(channel="email", body_de="Hallo {{kunde}}", subject_en="{% now 'Y' %}")
    with pytest.raises(ValidationError) as caught:
        config.full_clean()
    errors = caught.value.error_dict
    assert errors["body_de"][0].message == UNKNOWN_PLACEHOLDER
    assert "{{kunde}}" in errors["body_de"][0].messages[0]
    assert "{% now 'Y' %}" in errors["subject_en"][0].messages[0]


def test_a_default_template_with_template_code_is_refused(acme):
    template = NotificationTemplate.objects.get(
        event_type__key="appointment.created", channel="sms", language="de"
    )
    template.body = "{% load log %}{{ customer_name }}"
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert "body" in caught.value.error_dict


def test_a_fallback_equal_to_the_channel_is_refused(acme):
    with pytest.raises(ValidationError) as caught:
        Config.build(channel="email", fallback_channel="email").full_clean()
    assert caught.value.error_dict["fallback_channel"][0].message == FALLBACK_SAME_AS_CHANNEL


def test_a_channel_that_cannot_reach_the_events_recipients_is_refused(acme):
    with pytest.raises(ValidationError) as caught:
        Config.build(channel="slack").full_clean()  # appointment.created goes to the customer
    assert caught.value.error_dict["channel"][0].message == CHANNEL_NOT_FOR_EVENT


def test_every_event_has_german_and_english_templates_for_every_channel_it_can_use(acme):
    from notifications.models import EventType
    from notifications.rendering import validate_template

    for event_type in EventType.objects.all():
        for channel in event_type.reachable_channels():
            for language in ("de", "en"):
                template = NotificationTemplate.objects.get(
                    event_type=event_type, channel=channel, language=language
                )
                validate_template(template.subject)
                validate_template(template.body)
    assert EventType.objects.count() == 10
    assert NotificationConfiguration.objects.count() == 0


def test_the_registry_refuses_a_default_channel_its_recipients_cannot_use(acme):
    from notifications.models import EventType

    event_type = EventType.objects.get(key="callback.escalated")
    event_type.default_channels = ["in_app", "whatsapp"]  # managers are not messaged on WhatsApp
    with pytest.raises(ValidationError) as caught:
        event_type.full_clean()
    assert caught.value.error_dict["default_channels"][0].message == CHANNEL_NOT_FOR_EVENT
