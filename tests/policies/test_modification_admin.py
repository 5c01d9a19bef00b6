"""The record of changes in the admin: read-only, with a manager's fee waiver as its one action."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from org.roles import Role
from policies.services import can_cancel, record_modification
from tests.factories.org import StaffFactory
from tests.factories.policies import PolicyAppointmentFactory, PolicyFactory

pytestmark = pytest.mark.django_db

LIST = "admin:policies_appointmentmodification_changelist"
WAIVE = "admin:policies_appointmentmodification_waive_fee"


def login(tenant_client, staff):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(staff.user)
    return tenant_client


@pytest.fixture
def late_cancellation(company):
    """Cancelled on Cal.com three hours ahead, outside a 24-hour policy with a 20 EUR fee."""
    PolicyFactory(settings={"hours_before": 24, "fee": {"kind": "fixed", "amount": "20"}})
    appointment = PolicyAppointmentFactory(starts_at=timezone.now() + timedelta(hours=3))
    return record_modification(appointment=appointment, check=can_cancel(appointment), by=None)


def test_the_list_shows_each_change_with_a_fixed_number_of_queries(
    tenant_client, company, assert_data_queries
):
    client = login(tenant_client, StaffFactory(role=Role.ADMIN))
    for _ in range(2):
        appointment = PolicyAppointmentFactory()
        record_modification(appointment=appointment, check=can_cancel(appointment), by="customer")
    client.get(reverse(LIST))  # warm what other apps cache for the sidebar
    with assert_data_queries(None) as few:
        client.get(reverse(LIST))

    for _ in range(5):
        appointment = PolicyAppointmentFactory()
        record_modification(appointment=appointment, check=can_cancel(appointment), by="phone_agent")
    with assert_data_queries(None) as many:
        response = client.get(reverse(LIST))

    assert response.status_code == 200
    assert len(few.data_queries) == len(many.data_queries)
    assert "phone agent" in response.content.decode()


def test_a_manager_waives_a_fee_with_a_reason(tenant_client, late_cancellation, ada):
    client = login(tenant_client, ada)

    response = client.post(reverse(WAIVE, args=[late_cancellation.pk]), {"reason": "Kulanz"})

    assert response.status_code == 302
    late_cancellation.refresh_from_db()
    assert (late_cancellation.waived, late_cancellation.waived_by, late_cancellation.waive_reason) == (
        True,
        ada,
        "Kulanz",
    )


def test_waiving_without_a_reason_is_refused(tenant_client, late_cancellation):
    client = login(tenant_client, StaffFactory(role=Role.ADMIN))

    response = client.post(reverse(WAIVE, args=[late_cancellation.pk]), {"reason": ""})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    late_cancellation.refresh_from_db()
    assert not late_cancellation.waived


def test_staff_cannot_waive_a_fee(tenant_client, late_cancellation):
    client = login(tenant_client, StaffFactory(role=Role.STAFF))

    response = client.post(reverse(WAIVE, args=[late_cancellation.pk]), {"reason": "Kulanz"})

    assert response.status_code == 403
    late_cancellation.refresh_from_db()
    assert not late_cancellation.waived


def test_changes_cannot_be_edited_or_deleted_in_the_admin(tenant_client, late_cancellation):
    client = login(tenant_client, StaffFactory(role=Role.ADMIN))

    change = client.post(
        reverse("admin:policies_appointmentmodification_change", args=[late_cancellation.pk]), {"reason": "x"}
    )
    delete = client.post(
        reverse("admin:policies_appointmentmodification_delete", args=[late_cancellation.pk]), {"post": "yes"}
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    late_cancellation.refresh_from_db()
    assert late_cancellation.reason == ""


def test_the_change_page_offers_a_manager_the_waiver(tenant_client, late_cancellation):
    client = login(tenant_client, StaffFactory(role=Role.ADMIN))

    detail = client.get(reverse("admin:policies_appointmentmodification_change", args=[late_cancellation.pk]))
    waive_page = client.get(reverse(WAIVE, args=[late_cancellation.pk]))

    assert reverse(WAIVE, args=[late_cancellation.pk]) in detail.content.decode()
    assert "The policy charges 20.00 EUR for this change" in waive_page.content.decode()
