"""A change made in the admin is recorded with the person who made it and the old and new values."""

from tenants.models import Company

COMPANY_URL = "/admin/tenants/company/"


def settings_form(company, **changes) -> dict:
    data = {
        "name": company.name,
        "timezone": company.timezone,
        "language": company.language,
        "currency": company.currency,
        "settings": "{}",
        "calcom_username": "",
        "twilio_from_number": "",
        "whatsapp_from_number": "",
        **{field: getattr(company, field) for field in Company.RETENTION_FIELDS},
    }
    return {**data, **changes}


def test_a_settings_change_in_the_admin_records_the_admin_with_old_and_new_values(as_user, ada, company):
    client = as_user(ada)

    saved = client.post(f"{COMPANY_URL}{company.pk}/change/", settings_form(company, name="Acme Praxis GmbH"))

    assert saved.status_code == 302
    record = Company.history.filter(id=company.pk).latest("history_date")
    change = record.diff_against(record.prev_record).changes
    assert record.history_actor == "user:ada@acme.test"
    assert [(c.field, c.old, c.new) for c in change] == [("name", "Acme Praxis", "Acme Praxis GmbH")]


def test_the_settings_history_page_shows_old_and_new_values_and_who(as_user, ada, company):
    client = as_user(ada)
    client.post(f"{COMPANY_URL}{company.pk}/change/", settings_form(company, name="Acme Praxis GmbH"))

    page = client.get(f"{COMPANY_URL}{company.pk}/history/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Acme Praxis GmbH" in text and "user:ada@acme.test" in text


def test_secrets_stay_out_of_the_history(as_user, ada, company):
    as_user(ada).post(
        f"{COMPANY_URL}{company.pk}/change/", settings_form(company, calcom_api_key="cal_live_secret_123")
    )

    record = Company.history.filter(id=company.pk).latest("history_date")
    assert not any("secret" in str(value) for value in vars(record).values())
