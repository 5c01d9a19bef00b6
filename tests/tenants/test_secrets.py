import logging

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from common.crypto import Secret
from tenants.admin import CompanyForm
from tenants.models import Company


def raw_column(company: Company, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM tenants_company WHERE id = %s', [company.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def acme(public) -> Company:
    company = public["acme"]
    company.retell_api_key = "key_acme_retell_0123456789"
    company.save(update_fields=["retell_api_key"])
    return Company.objects.get(pk=company.pk)


def test_company_secret_is_encrypted_at_rest_and_read_back(acme):
    assert "key_acme_retell" not in raw_column(acme, "retell_api_key")
    assert acme.retell_api_key == "key_acme_retell_0123456789"


def test_secret_never_shows_in_full_in_reprs_or_logs(acme, caplog):
    assert isinstance(acme.retell_api_key, Secret)
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("company key %r", acme.retell_api_key)
    assert "0123456789" not in caplog.text
    assert "6789" in caplog.text


def test_admin_form_never_renders_a_stored_secret_and_blank_keeps_it(acme):
    form = CompanyForm(instance=acme)
    html = str(form["retell_api_key"])
    assert "key_acme_retell" not in html
    assert "6789" not in html and form.fields["retell_api_key"].widget.is_set  # says "set", shows nothing
    fields = ("name", "slug", "timezone", "language", "currency", "schema_name", *Company.RETENTION_FIELDS)
    data = {f: getattr(acme, f) for f in fields}
    data.update({"settings": "{}", "is_active": "on", "retell_api_key": ""})
    form = CompanyForm(data=data, instance=acme)
    assert form.is_valid(), form.errors
    form.save()
    assert Company.objects.get(pk=acme.pk).retell_api_key == "key_acme_retell_0123456789"


def test_secrets_survive_key_rotation(acme, settings):
    from django.core.management import call_command

    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_secrets")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is retired
    assert Company.objects.get(pk=acme.pk).retell_api_key == "key_acme_retell_0123456789"
