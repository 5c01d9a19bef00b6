"""The header's bell: the logged-in person's unread in-app notifications, each linking to what it is about."""

from django.urls import reverse

from callbacks.models import CallbackRequest
from common.events import emit
from notifications.models import NotificationDelivery
from notifications.tasks import send_delivery
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import StaffFactory

BELL = "/admin/notifications/inappnotification/bell.json"


def assign(person, mitte, name: str) -> CallbackRequest:
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=person, customer_name=name)
    emit("callback.assigned", callback=callback)
    for row in NotificationDelivery.objects.filter(channel="in_app", sent_at__isnull=True):
        send_delivery(row.pk)
    return callback


def test_the_bell_lists_only_my_unread_notifications_with_a_link_each(tenant_client, acme, mitte, anna):
    ben = StaffFactory(name="Ben", branches=[mitte])
    mine = assign(anna, mitte, "Kunde von Anna")
    assign(ben, mitte, "Kunde von Ben")
    tenant_client.force_login(anna.user)

    bell = tenant_client.get(BELL).json()

    assert bell["unread"] == 1
    [item] = bell["items"]
    assert "Kunde von Anna" in item["subject"]
    assert item["url"] == reverse("admin:callbacks_callbackrequest_change", args=[mine.pk])


def test_a_read_notification_leaves_the_bell(tenant_client, acme, mitte, anna):
    assign(anna, mitte, "Kunde von Anna")
    NotificationDelivery.objects.filter(staff=anna, channel="in_app").update(read_at="2026-03-04T10:00Z")
    tenant_client.force_login(anna.user)

    assert tenant_client.get(BELL).json() == {"unread": 0, "items": []}


def test_every_admin_page_has_the_bell_and_loads_its_script_without_inline_code(tenant_client, acme, anna):
    tenant_client.force_login(anna.user)

    html = tenant_client.get("/admin/").content.decode()

    assert 'data-testid="bell"' in html and f'data-bell-url="{BELL}"' in html
    assert "notifications/bell.js" in html
