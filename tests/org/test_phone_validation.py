import pytest
from django.core.exceptions import ValidationError

from common.phone import normalise_phone
from org.models import Customer
from org.services import customer_create


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("030 1234567", "+49301234567"),
        ("+49 30 1234567", "+49301234567"),
        ("0049301234567", "+49301234567"),
        ("+41 44 668 18 00", "+41446681800"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(typed, e164):
    assert normalise_phone(typed) == e164


@pytest.mark.parametrize("typed", ["12", "abc", "+49 30", "", "+49 1"])
def test_invalid_phone_number_is_a_clear_error(typed):
    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert "is not a valid phone number" in error.value.messages[0]


def test_customer_with_invalid_phone_is_never_stored(company):
    with pytest.raises(ValidationError):
        customer_create(name="Jonas Weber", phone="12345")
    assert not Customer.objects.filter(name="Jonas Weber").exists()


def test_customer_phone_is_stored_in_e164(company):
    customer = customer_create(name="Jonas Weber", phone="0151 12345678")
    customer.refresh_from_db()
    assert str(customer.phone) == "+4915112345678"
