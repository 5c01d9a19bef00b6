"""The policy screens: edit per level with the hierarchy in view, bad input named by field, a preview."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from org.roles import Role
from policies.models import PolicyConfiguration, TargetType
from policies.selectors import Targets, policy_resolve
from tests.factories.org import BranchFactory, ServiceFactory, StaffFactory
from tests.factories.policies import STANDARD_TIERS, PolicyAppointmentFactory, PolicyFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:policies_policyconfiguration_changelist"
ADD = "admin:policies_policyconfiguration_add"
PREVIEW = "admin:policies_policyconfiguration_preview"


@pytest.fixture
def client(tenant_client, ada):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(ada.user)
    return tenant_client


def form_data(**overrides):
    data = {
        "policy_type": "cancellation",
        "target_type": "company",
        "branch": "",
        "service": "",
        "staff": "",
        "overrides": "",
        "hours_before": "",
        "limit": "",
        "fee_kind": "",
        "fee_amount": "",
        "fee_currency": "",
        "fee_percentage": "",
        "fee_max_amount": "",
    }
    return {**data, **overrides}


def test_a_branch_policy_with_tiered_fees_is_created_from_plain_fields(client):
    branch = BranchFactory(name="Mitte")

    response = client.post(
        reverse(ADD),
        form_data(
            target_type="branch",
            branch=branch.pk,
            hours_before="24",
            limit="3",
            fee_kind="tiered",
            tier_0_from="48",
            tier_0_amount="0",
            tier_1_from="24",
            tier_1_to="48",
            tier_1_amount="10",
            tier_2_from="0",
            tier_2_to="24",
            tier_2_amount="15",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    policy = PolicyConfiguration.objects.get()
    assert (policy.target_type, policy.branch) == (TargetType.BRANCH, branch)
    assert policy.settings["hours_before"] == 24
    assert policy.settings["max_cancellations_per_month"] == 3
    assert [t["amount"] for t in policy.settings["fee"]["tiers"]] == ["0", "10", "15"]
    resolved = policy_resolve(policy_type="cancellation", targets=Targets(branch.pk, None, None))
    assert resolved.policy_id == policy.pk


TIERS_0_12_AND_24_ON = {
    "fee_kind": "tiered",
    "tier_0_from": "0",
    "tier_0_to": "12",
    "tier_0_amount": "15",
    "tier_1_from": "24",
    "tier_1_amount": "0",
}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"hours_before": "-4"}, "hours_before", "must be zero or more"),
        ({"limit": "-1"}, "limit", "must be zero or more"),
        ({"fee_kind": "percentage", "fee_percentage": "120"}, "fee_percentage", "must be between 0 and 100"),
        ({"fee_kind": "fixed", "fee_amount": "-5"}, "fee_amount", "must be zero or more"),
        ({"fee_kind": "fixed"}, "fee_amount", "is required"),
        (TIERS_0_12_AND_24_ON, "tier_0_from", "leave a gap"),
        ({**TIERS_0_12_AND_24_ON, "tier_0_to": "30"}, "tier_0_from", "overlap"),
        ({"fee_kind": "tiered", "tier_0_from": "soon", "tier_0_amount": "15"}, "tier_0_from", "not a number"),
        ({"fee_kind": "fixed", "fee_amount": "5", "fee_currency": "euro"}, "fee_currency", "three-letter"),
    ],
)
def test_bad_settings_are_refused_on_the_field_and_nothing_is_saved(client, fields, field, message):
    response = client.post(reverse(ADD), form_data(**fields))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors[field]), errors
    assert not PolicyConfiguration.objects.exists()


def test_a_second_company_policy_of_the_same_type_is_refused(client):
    PolicyFactory()

    response = client.post(reverse(ADD), form_data(hours_before="2"))

    assert response.status_code == 200
    assert "already has a live cancellation policy" in str(response.context["adminform"].form.errors)


def test_the_edit_form_shows_the_stored_settings_and_what_the_policy_takes_precedence_over(client):
    PolicyFactory(settings={"hours_before": 48})
    branch = BranchFactory(name="Mitte")
    service = ServiceFactory(name="Haarschnitt", branches=[branch])
    PolicyFactory(
        branch=branch, settings={"hours_before": 24, "fee": {"kind": "tiered", "tiers": STANDARD_TIERS}}
    )
    policy = PolicyFactory(
        service=service, settings={"hours_before": 6, "fee": {"kind": "fixed", "amount": "5"}}
    )

    response = client.get(reverse("admin:policies_policyconfiguration_change", args=[policy.pk]))

    page = response.content.decode()
    form = response.context["adminform"].form
    initial = form.initial
    assert (initial["hours_before"], initial["fee_kind"], initial["fee_amount"]) == (6, "fixed", "5")
    assert "branch Mitte</strong>: 24 h notice" in page
    assert "company</strong>: 48 h notice" in page
    assert "built-in default" in page


def test_editing_keeps_unchanged_settings(client):
    policy = PolicyFactory(settings={"hours_before": 12, "fee": {"kind": "tiered", "tiers": STANDARD_TIERS}})
    url = reverse("admin:policies_policyconfiguration_change", args=[policy.pk])
    form = client.get(url).context["adminform"].form
    shown = {k: v for k, v in form.initial.items() if k in form_data() or k.startswith("tier_")}
    data = form_data(**{k: ("" if v is None else v) for k, v in shown.items()})

    response = client.post(url, {**data, "hours_before": "18"})

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.settings["hours_before"] == 18
    assert len(policy.settings["fee"]["tiers"]) == 3


def test_the_list_shows_the_rules_in_force_with_a_fixed_number_of_queries(client, assert_data_queries):
    PolicyFactory(settings={"hours_before": 24})
    for _ in range(2):
        PolicyFactory(branch=BranchFactory(), settings={"hours_before": 2})
    client.get(reverse(CHANGELIST))  # warm what other apps cache for the sidebar
    with assert_data_queries(None) as few:
        client.get(reverse(CHANGELIST))

    for _ in range(6):
        PolicyFactory(staff=StaffFactory(), settings={"max_cancellations_per_month": 1})
    with assert_data_queries(None) as many:
        response = client.get(reverse(CHANGELIST))

    assert len(few.data_queries) == len(many.data_queries)
    assert "at most 1 cancellations in 30 days" in response.content.decode()


def test_deleting_in_the_admin_keeps_the_policy_on_record(client):
    policy = PolicyFactory()

    response = client.post(
        reverse("admin:policies_policyconfiguration_delete", args=[policy.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.deleted_at is not None
    assert PolicyConfiguration.objects.count() == 1


def test_the_preview_answers_for_a_real_appointment(client):
    PolicyFactory(settings={"hours_before": 24, "fee": {"kind": "tiered", "tiers": STANDARD_TIERS}})
    appointment = PolicyAppointmentFactory(starts_at=timezone.now() + timedelta(hours=5))

    response = client.get(reverse(PREVIEW), {"appointment": appointment.pk})

    page = response.content.decode()
    cancel = response.context["answers"][0]["check"]
    assert (cancel.allowed, cancel.fee_if_forced.amount) == (False, Decimal(15))
    assert "Changes need at least 24 hours" in page
    deciding = [row["level"] for row in response.context["answers"][0]["chain"] if row["decides"]]
    assert deciding == ["company"]


def test_the_preview_answers_for_a_made_up_appointment(client):
    branch = BranchFactory()
    service = ServiceFactory(price="80.00")
    PolicyFactory(service=service, settings={"fee": {"kind": "percentage", "percentage": 50}})
    start = timezone.localtime() + timedelta(days=3)

    response = client.get(
        reverse(PREVIEW),
        {
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "branch": branch.pk,
            "service": service.pk,
        },
    )

    cancel = response.context["answers"][0]["check"]
    assert (cancel.allowed, cancel.fee.amount) == (True, Decimal("40.00"))
    assert "a fee of 40.00 EUR applies" in response.content.decode()


def test_the_preview_asks_for_an_appointment_or_a_time(client):
    response = client.get(reverse(PREVIEW), {"branch": ""})

    assert response.context["answers"] == []
    assert "Pick an appointment, or give a start time" in response.content.decode()


def test_staff_without_policy_rights_cannot_open_the_preview(tenant_client, company):
    anna = StaffFactory(role=Role.STAFF)
    tenant_client.force_login(anna.user)

    assert tenant_client.get(reverse(PREVIEW)).status_code == 403


def test_another_companys_manager_never_sees_these_policies(client_for, company, other_company, eve):
    from django_tenants.utils import tenant_context

    PolicyFactory(settings={"hours_before": 99})
    eve_client = client_for(other_company)
    eve_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with tenant_context(other_company):
        eve_client.force_login(eve.user)
        PolicyFactory(settings={"hours_before": 7})

    response = eve_client.get(reverse(CHANGELIST))

    page = response.content.decode()
    assert "7 h notice" in page
    assert "99 h notice" not in page


def test_the_overview_shows_who_inherits_what(client):
    PolicyFactory(settings={"hours_before": 48})
    mitte, nord = BranchFactory(name="Mitte"), BranchFactory(name="Nord")
    PolicyFactory(branch=mitte, settings={"hours_before": 24})
    ServiceFactory(name="Färben", branches=[mitte, nord])
    own = PolicyFactory(service=ServiceFactory(name="Schnitt"), settings={"hours_before": 6})

    response = client.get(reverse("admin:policies_policyconfiguration_overview"))

    page = " ".join(response.content.decode().split())
    assert "inherits branch Mitte: 24 h notice" in page
    assert "inherits company: 48 h notice" in page  # Färben booked at Nord; Nord itself
    assert f'/{own.pk}/change/">own policy</a>: 6 h notice' in page
    assert "inherits the built-in default" in page  # no reschedule policy anywhere


def test_the_overview_costs_the_same_queries_however_many_targets(client, assert_data_queries):
    PolicyFactory(branch=BranchFactory(), settings={"hours_before": 24})
    ServiceFactory(branches=[BranchFactory()])
    StaffFactory()
    client.get(
        reverse("admin:policies_policyconfiguration_overview")
    )  # warm what other apps cache for the sidebar
    with assert_data_queries(None) as few:
        client.get(reverse("admin:policies_policyconfiguration_overview"))

    branch = BranchFactory()
    for _ in range(3):
        ServiceFactory(branches=[branch, BranchFactory()])
        StaffFactory()
    with assert_data_queries(None) as many:
        client.get(reverse("admin:policies_policyconfiguration_overview"))

    assert len(few.data_queries) == len(many.data_queries)


def test_every_change_is_kept_with_who_made_it(client, ada):
    response = client.post(reverse(ADD), form_data(hours_before="24"))
    policy = PolicyConfiguration.objects.get()
    url = reverse("admin:policies_policyconfiguration_change", args=[policy.pk])
    client.post(url, form_data(hours_before="12"))

    history = list(policy.history.order_by("history_date"))

    assert response.status_code == 302
    assert [h.settings["hours_before"] for h in history] == [24, 12]
    assert {h.history_user for h in history} == {ada.user}
    assert (
        client.get(reverse("admin:policies_policyconfiguration_history", args=[policy.pk])).status_code == 200
    )
