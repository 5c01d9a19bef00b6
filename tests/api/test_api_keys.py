import hashlib

from django_tenants.utils import tenant_context

from api.auth import INVALID_KEY, READ_ONLY_KEY
from api.models import ApiKey
from api.services import api_key_revoke
from tests.admin.conftest import login
from tests.api.conftest import client_with


def test_a_key_is_stored_only_as_its_hash(write_key):
    key = ApiKey.objects.get()

    assert key.hashed_key == hashlib.sha256(write_key.encode()).hexdigest()
    assert write_key not in {key.hashed_key, key.prefix, key.name}
    assert write_key.startswith(f"sb_{key.prefix}_")


def test_a_valid_key_reads_and_its_last_use_is_recorded(api, mitte):
    response = api.get("/api/v1/branches/")

    assert response.status_code == 200
    assert [b["name"] for b in response.json()["results"]] == ["Mitte"]
    assert ApiKey.objects.get().last_used_at is not None


def test_a_request_without_a_key_is_refused_with_the_error_shape(tenant_client):
    response = tenant_client.get("/api/v1/branches/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"code", "message", "details"}


def test_a_wrong_key_is_refused(company):
    response = client_with("sb_0000_nope").get("/api/v1/branches/")

    assert response.status_code == 401
    assert response.json()["message"] == str(INVALID_KEY)


def test_a_revoked_key_is_refused(api):
    api_key_revoke(key=ApiKey.objects.get())

    assert api.get("/api/v1/branches/").status_code == 401


def test_a_key_of_one_company_is_refused_on_another_companys_host(write_key, other_company):
    response = client_with(write_key, schema=other_company.schema_name).get("/api/v1/branches/")

    assert response.status_code == 401
    with tenant_context(other_company):
        assert not ApiKey.objects.exists()


def test_a_read_only_key_cannot_write(reader, mitte):
    response = reader.post("/api/v1/customers/", {"name": "Jo"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": str(READ_ONLY_KEY), "details": {}}


def test_an_admin_creates_a_key_in_the_admin_and_sees_it_once(company, ada):
    client = login(company, ada.user)

    response = client.post("/admin/api/apikey/add/", {"name": "CRM", "scope": "read"}, follow=True)

    key = ApiKey.objects.get(name="CRM")
    shown = [str(m) for m in response.context["messages"]]
    plaintext = next(word for m in shown for word in m.split() if word.startswith("sb_"))
    assert key.hashed_key == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()


def test_staff_cannot_manage_keys(company, anna):
    assert login(company, anna.user).get("/admin/api/apikey/").status_code == 403


def test_an_admin_revokes_a_key(company, ada, write_key):
    key = ApiKey.objects.get()

    login(company, ada.user).post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]})

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client_with(write_key).get("/api/v1/branches/").status_code == 401
