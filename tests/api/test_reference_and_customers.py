from org.models import Customer
from tests.factories.org import CustomerFactory

JSON = "application/json"


def test_branches_services_and_staff_are_readable(reader, anna, haircut, mitte):
    assert [b["id"] for b in reader.get("/api/v1/branches/").json()["results"]] == [mitte.pk]
    assert reader.get(f"/api/v1/services/{haircut.pk}/").json()["branches"] == [mitte.pk]
    assert reader.get("/api/v1/staff/").json()["results"][0]["name"] == "Anna"


def test_reference_data_cannot_be_changed(api, mitte):
    response = api.patch(f"/api/v1/branches/{mitte.pk}/", {"name": "X"}, content_type=JSON)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_customer_is_created_with_a_normalised_number(api, company):
    response = api.post("/api/v1/customers/", {"name": "Jo", "phone": "0171 1234567"}, content_type=JSON)

    assert response.status_code == 201
    assert Customer.objects.get().phone == "+491711234567"
    assert response.json()["phone"] == "+491711234567"


def test_an_invalid_phone_number_is_refused(api, company):
    response = api.post("/api/v1/customers/", {"name": "Jo", "phone": "12"}, content_type=JSON)

    assert response.status_code == 400
    assert not Customer.objects.exists()


def test_anonymised_customers_are_not_listed(reader, company):
    kept = CustomerFactory(name="Kim")
    CustomerFactory(name="Gone", anonymised_at="2026-01-01T00:00:00Z")

    assert [c["id"] for c in reader.get("/api/v1/customers/").json()["results"]] == [kept.pk]
    assert reader.get(f"/api/v1/customers/{kept.pk}/").json()["name"] == "Kim"
