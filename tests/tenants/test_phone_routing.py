import pytest
from django.core.exceptions import ValidationError

from tenants.models import PhoneNumber
from tenants.routing import company_for_number
from tenants.services import NUMBER_TAKEN, phone_route_add


@pytest.fixture
def acme_line(public):
    return phone_route_add(company=public["acme"], number="+49 30 55501000")


@pytest.mark.parametrize("dialled", ["+493055501000", "+49 30 55501000", "030 55501000", "0049 30 5550 1000"])
def test_known_number_in_any_format_routes_to_its_company(acme_line, dialled):
    route = company_for_number(dialled)
    assert route is not None and route.company.schema_name == "acme"


@pytest.mark.parametrize("dialled", ["+493099999999", "", "not a number", "+1"])
def test_unknown_or_invalid_number_routes_nowhere(acme_line, dialled):
    assert company_for_number(dialled) is None


def test_number_of_an_inactive_company_routes_nowhere(acme_line):
    acme_line.company.is_active = False
    acme_line.company.save(update_fields=["is_active"])
    assert company_for_number("+493055501000") is None


def test_one_number_cannot_route_to_two_companies(acme_line, public):
    with pytest.raises(ValidationError) as error:
        phone_route_add(company=public["globex"], number="+49 30 55501000")
    assert error.value.messages == [str(NUMBER_TAKEN) % {"number": "+493055501000", "company": "acme"}]
    assert PhoneNumber.objects.filter(number="+493055501000").count() == 1
