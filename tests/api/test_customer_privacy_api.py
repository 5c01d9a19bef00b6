"""`POST /customers/{id}/anonymise/` and `GET /customers/{id}/export/`: both need a read-write key."""

import pytest
from django.utils import translation

from api.views.org import EXPORT_NEEDS_WRITE_KEY
from org.models import Customer
from org.privacy import EXPORTED
from tests.factories.org import CustomerFactory
from tests.privacy.conftest import (
    NAME,
    PHONE,
    SECRET_WORD,
    dana_everywhere,  # noqa: F401  (Dana's data, through the real doors)
    where_found,
)


def said_in_each_language(message) -> set[str]:
    """The API speaks the company's language (German at Acme) unless the client asks for another."""
    result = set()
    for language in ("en", "de"):
        with translation.override(language):
            result.add(str(message))
    return result


@pytest.fixture
def dana(request) -> Customer:
    return request.getfixturevalue("dana_everywhere").customer


def test_a_read_write_key_anonymises_a_customer_everywhere(api, dana, company):
    response = api.post(f"/api/v1/customers/{dana.pk}/anonymise/")

    assert response.status_code == 200
    assert response.json()["name"] == f"anonymised #{dana.pk}" and response.json()["phone"] == ""
    assert where_found(company.schema_name, [NAME, PHONE, SECRET_WORD]) == []
    record = Customer.history.filter(id=dana.pk).order_by("-history_id").first()
    assert record.history_actor == "api-key:Practice software"


def test_anonymising_twice_is_refused_in_the_error_shape(api, company):
    gone = CustomerFactory(name="Gone")
    api.post(f"/api/v1/customers/{gone.pk}/anonymise/")

    response = api.post(f"/api/v1/customers/{gone.pk}/anonymise/")

    assert response.status_code == 400
    assert response.json()["code"] == "anonymised"
    assert set(response.json()) == {"code", "message", "details"}


def test_a_read_only_key_cannot_anonymise(reader, company):
    kim = CustomerFactory(name="Kim", phone="+4915199988877")

    response = reader.post(f"/api/v1/customers/{kim.pk}/anonymise/")

    assert response.status_code == 403
    assert Customer.objects.get(pk=kim.pk).name == "Kim"


def test_an_unknown_customer_is_404_in_the_error_shape(api, company):
    assert api.post("/api/v1/customers/999999/anonymise/").json()["code"] == "not_found"
    assert api.get("/api/v1/customers/999999/export/").status_code == 404


def test_a_read_write_key_exports_everything_and_the_audit_trail_records_it(api, dana):
    response = api.get(f"/api/v1/customers/{dana.pk}/export/")

    assert response.status_code == 200
    body = response.json()
    assert body["customer"]["phone"] == PHONE
    assert set(body) == {
        "exported_at",
        "customer",
        "callbacks",
        "appointments",
        "calls",
        "notifications",
        "opt_outs",
    }
    assert SECRET_WORD in body["calls"][0]["transcript"]
    record = Customer.history.filter(id=dana.pk).order_by("-history_id").first()
    assert (record.history_change_reason, record.history_actor) == (EXPORTED, "api-key:Practice software")


def test_a_read_only_key_cannot_export_personal_data_in_bulk(reader, company):
    kim = CustomerFactory(name="Kim")

    response = reader.get(f"/api/v1/customers/{kim.pk}/export/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["message"] in said_in_each_language(EXPORT_NEEDS_WRITE_KEY)
    assert not Customer.history.filter(id=kim.pk, history_change_reason=EXPORTED).exists()


def test_both_operations_are_in_the_published_schema(tenant_client):
    paths = tenant_client.get("/api/v1/schema/?format=json").json()["paths"]

    assert "post" in paths["/api/v1/customers/{id}/anonymise/"]
    assert "get" in paths["/api/v1/customers/{id}/export/"]
