from api.throttling import AddressThrottle, KeyThrottle
from tests.api.conftest import client_with
from tests.factories.api import issue_key


def test_an_unknown_record_is_a_404_in_the_error_shape(api, company):
    response = api.get("/api/v1/customers/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message"]
    assert response.json()["details"] == {}


def test_invalid_input_names_each_field(api, company):
    response = api.post("/api/v1/customers/", {"email": "nope"}, content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["details"]) == {"name", "email"}


def test_a_body_that_is_not_json_is_refused_in_the_error_shape(api, company):
    response = api.post("/api/v1/customers/", "name=x", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_key_over_its_read_rate_gets_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", {"read": "2/min", "write": "1/min"})

    answers = [api.get("/api/v1/branches/") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["code"] == "throttled"


def test_reads_and_writes_are_counted_apart(api, monkeypatch):
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", {"read": "1/min", "write": "1/min"})

    assert api.get("/api/v1/branches/").status_code == 200
    assert api.post("/api/v1/customers/", {"name": "Jo"}, content_type="application/json").status_code == 201
    assert api.get("/api/v1/branches/").status_code == 429


def test_one_address_is_limited_across_keys(company, monkeypatch):
    monkeypatch.setattr(AddressThrottle, "THROTTLE_RATES", {"read": "1/min", "write": "1/min"})

    first, second = client_with(issue_key()), client_with(issue_key())

    assert first.get("/api/v1/branches/").status_code == 200
    assert second.get("/api/v1/branches/").status_code == 429


def test_guessing_keys_from_one_address_is_throttled(company, monkeypatch):
    monkeypatch.setattr(AddressThrottle, "THROTTLE_RATES", {"read": "2/min", "write": "2/min"})

    answers = [client_with(f"sb_guess{n}_x").get("/api/v1/branches/") for n in range(3)]

    assert [a.status_code for a in answers] == [401, 401, 429]
