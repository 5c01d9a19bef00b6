"""Fee tiers as rows (from / to hours, fee) accepting "10,50 €"; every error next to its field in words."""

from decimal import Decimal

import pytest
from django.urls import reverse

from policies.forms import german_number
from policies.models import PolicyConfiguration
from tests.factories.policies import STANDARD_TIERS, PolicyFactory
from tests.org.german import _catalogue, german  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("german")]

ADD = "admin:policies_policyconfiguration_add"


@pytest.fixture
def client(tenant_client, ada):
    tenant_client.force_login(ada.user)  # the company's language: German
    return tenant_client


def tiered(**rows) -> dict[str, str]:
    data = {
        "policy_type": "cancellation",
        "target_type": "company",
        "fee_kind": "tiered",
        **{f"tier_{row}_{part}": "" for row in range(5) for part in ("from", "to", "amount")},
    }
    return {**data, **rows}


@pytest.mark.parametrize(
    ("typed", "number"),
    [("10,50 €", "10.50"), ("10,5", "10.5"), ("1.234,50 €", "1234.50"), ("12.5", "12.5"), ("EUR 7", "7")],
)
def test_amounts_are_read_as_people_write_them_in_germany(typed, number):
    assert german_number(typed) == Decimal(number)


def test_three_rows_with_euro_amounts_make_a_tiered_fee(client):
    rows = {"tier_0_from": "0", "tier_0_to": "24", "tier_0_amount": "15,00 €"}
    rows |= {"tier_1_from": "24", "tier_1_to": "48", "tier_1_amount": "10,50 €"}
    rows |= {"tier_2_from": "48", "tier_2_amount": "0"}

    response = client.post(reverse(ADD), tiered(**rows))

    assert response.status_code == 302, response.context["adminform"].form.errors
    tiers = PolicyConfiguration.objects.get().settings["fee"]["tiers"]
    assert tiers == [
        {"min_hours": 0, "max_hours": 24, "amount": "15.00"},
        {"min_hours": 24, "max_hours": 48, "amount": "10.50"},
        {"min_hours": 48, "max_hours": None, "amount": "0"},
    ]


def test_stored_tiers_are_shown_as_rows_shortest_notice_first(client):
    policy = PolicyFactory(settings={"fee": {"kind": "tiered", "tiers": STANDARD_TIERS}})

    form = (
        client.get(reverse("admin:policies_policyconfiguration_change", args=[policy.pk]))
        .context["adminform"]
        .form
    )

    rows = [[form[f"tier_{row}_{part}"].value() for part in ("from", "to", "amount")] for row in range(3)]
    assert [[str(v) if v is not None else "" for v in row] for row in rows][0][:2] == ["0", "24"]
    assert form["tier_2_to"].value() in (None, "")


@pytest.mark.parametrize(
    ("rows", "field", "error"),
    [
        (
            {"tier_0_from": "0", "tier_0_to": "24", "tier_0_amount": "zehn Euro", "tier_1_from": "24"},
            "tier_0_amount",
            "„zehn Euro“ ist kein Betrag: bitte wie „10,50 €“ schreiben.",
        ),
        (
            {
                "tier_0_from": "0",
                "tier_0_to": "12",
                "tier_0_amount": "15",
                "tier_1_from": "24",
                "tier_1_amount": "0",
            },
            "tier_0_from",
            "Die Stufen lassen eine Lücke zwischen 12 Std. und 24 Std.",
        ),
        (
            {
                "tier_0_from": "0",
                "tier_0_to": "24",
                "tier_0_amount": "15",
                "tier_1_from": "24",
                "tier_1_to": "48",
                "tier_1_amount": "5",
            },
            "tier_0_from",
            "Die Stufe mit der längsten Frist braucht ein leeres „bis“ (für jede längere Frist).",
        ),
        (
            {"tier_0_from": "0", "tier_0_to": "24", "tier_0_amount": "15", "tier_1_to": "48"},
            "tier_1_from",
            "Bitte mindestens „von“ und die Gebühr angeben (für die längste Frist „bis“ leer lassen).",
        ),
    ],
)
def test_each_error_is_next_to_its_field_in_words(client, rows, field, error):
    response = client.post(reverse(ADD), tiered(**rows))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(error in message for message in errors[field]), errors
    page = response.content.decode()
    assert "fee.tiers" not in page and "max_hours" not in page and "min_hours" not in page
    assert not PolicyConfiguration.objects.exists()
