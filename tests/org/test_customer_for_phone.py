"""Which customer a phone number (or an email address) belongs to: one rule for every door.

Dana is Acme's customer; Eve lives at Globex with the very same number and must never be matched at Acme.
"""

from datetime import UTC, datetime

import pytest
from django_tenants.utils import tenant_context

from org.models import Customer
from org.selectors import customer_for_email, customer_for_phone
from tests.factories.org import CustomerFactory

pytestmark = pytest.mark.django_db

NUMBER = "+4930555012345"


def created(customer: Customer, day: int) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(created_at=datetime(2026, 1, day, tzinfo=UTC))
    return customer


def test_the_one_customer_with_the_number_is_found_however_it_is_written(company):
    dana = CustomerFactory(name="Dana", phone=NUMBER)

    assert customer_for_phone("030 555012345") == dana
    assert customer_for_phone("+49 30 5550 12345") == dana


def test_a_single_match_is_found_even_under_another_name(company):
    dana = CustomerFactory(name="Dana", phone=NUMBER)

    assert customer_for_phone(NUMBER, name="Jonas") == dana


def test_an_anonymised_customer_is_never_matched(company):
    CustomerFactory(phone=NUMBER, anonymised_at=datetime(2026, 1, 1, tzinfo=UTC))

    assert customer_for_phone(NUMBER) is None


@pytest.mark.parametrize("phone", ["", "anonymous", "12", "+4930555099999"])
def test_a_withheld_invalid_or_unknown_number_matches_nobody(company, phone):
    CustomerFactory(phone=NUMBER)

    assert customer_for_phone(phone) is None


def test_of_several_customers_sharing_a_number_the_oldest_is_chosen(company):
    created(CustomerFactory(name="Jonas", phone=NUMBER), day=5)
    oldest = created(CustomerFactory(name="Dana", phone=NUMBER), day=2)

    assert customer_for_phone(NUMBER) == oldest


def test_records_created_at_the_same_moment_are_told_apart_by_their_id(company):
    first = created(CustomerFactory(phone=NUMBER), day=2)
    created(CustomerFactory(phone=NUMBER), day=2)

    assert customer_for_phone(NUMBER) == first


def test_of_several_customers_sharing_a_number_the_one_named_is_chosen(company):
    created(CustomerFactory(name="Dana", phone=NUMBER), day=2)
    jonas = created(CustomerFactory(name="Jonas Weber", phone=NUMBER), day=5)

    assert customer_for_phone(NUMBER, name="  jonas weber ") == jonas


def test_a_name_nobody_has_falls_back_to_the_oldest(company):
    dana = created(CustomerFactory(name="Dana", phone=NUMBER), day=2)
    created(CustomerFactory(name="Jonas", phone=NUMBER), day=5)

    assert customer_for_phone(NUMBER, name="Lena") == dana


def test_an_anonymised_namesake_is_not_chosen(company):
    dana = created(CustomerFactory(name="Dana", phone=NUMBER), day=2)
    CustomerFactory(name="Jonas", phone=NUMBER, anonymised_at=datetime(2026, 2, 1, tzinfo=UTC))

    assert customer_for_phone(NUMBER, name="Jonas") == dana


def test_another_companys_customer_with_the_same_number_is_never_matched(company, other_company):
    with tenant_context(other_company):
        eve = CustomerFactory(name="Eve Globex", phone=NUMBER)

    assert customer_for_phone(NUMBER) is None
    with tenant_context(other_company):
        assert customer_for_phone(NUMBER) == eve


def test_an_email_matches_the_oldest_live_customer_ignoring_case(company):
    created(CustomerFactory(email="dana@example.test"), day=5)
    oldest = created(CustomerFactory(email="Dana@Example.test"), day=2)
    CustomerFactory(email="dana@example.test", anonymised_at=datetime(2026, 1, 1, tzinfo=UTC))

    assert customer_for_email("DANA@example.test") == oldest
    assert customer_for_email("") is None
