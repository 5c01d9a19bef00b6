"""A change made through the REST API names the key that made it; API keys have their own history."""

from api.models import ApiKey
from org.models import Customer
from tests.api.conftest import _empty_throttle_buckets, api, write_key  # noqa: F401

JSON = "application/json"


def test_a_customer_created_through_the_api_is_recorded_as_the_keys_doing(api, company):  # noqa: F811
    response = api.post("/api/v1/customers/", {"name": "Jo", "phone": "0171 1234567"}, content_type=JSON)

    assert response.status_code == 201, response.content
    record = Customer.history.get(name="Jo")
    assert (record.history_type, record.history_actor) == ("+", "api-key:Practice software")


def test_an_api_key_issued_is_in_its_history_without_its_hash(write_key):  # noqa: F811
    record = ApiKey.history.get()

    assert record.name == "Practice software"
    assert not hasattr(record, "hashed_key")
