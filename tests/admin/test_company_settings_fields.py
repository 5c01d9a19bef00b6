"""The settings page an office person can use: choices, typed settings, secrets "gesetzt / nicht gesetzt"."""

from tenants.models import Company
from tests.admin.test_company_settings import URL, form_data


def page_of(client, company) -> str:
    return client.get(f"{URL}{company.pk}/change/").content.decode()


def test_language_time_zone_and_currency_are_choices_and_there_is_no_json_box(as_user, ada, company):
    form = as_user(ada).get(f"{URL}{company.pk}/change/").context["adminform"].form

    assert "settings" not in form.fields
    assert ("de", "Deutsch") in form.fields["language"].choices
    assert ("Europe/Berlin", "Europe/Berlin") in form.fields["timezone"].choices
    assert [code for code, _label in form.fields["currency"].choices] == ["CHF", "EUR", "USD"]


def test_a_currency_we_cannot_convert_into_is_refused_in_words(as_user, ada, company):
    response = as_user(ada).post(f"{URL}{company.pk}/change/", form_data(company, currency="XYZ"))

    errors = response.context["adminform"].form.errors
    assert errors["currency"] == ["Bitte eine gültige Auswahl treffen. XYZ ist keine gültige Auswahl."]
    assert Company.objects.get(pk=company.pk).currency == "EUR"


def test_a_secret_says_gesetzt_or_nicht_gesetzt_and_never_its_value(as_user, ada, company):
    company.calcom_api_key, company.retell_api_key = "cal_live_secret_123", ""
    company.save()

    page = page_of(as_user(ada), company)

    calcom = page.split('data-secret="calcom_api_key"')[1].split("</div>")[0]
    retell = page.split('data-secret="retell_api_key"')[1].split("</div>")[0]
    assert "gesetzt" in calcom and "nicht gesetzt" not in calcom and "löschen" in calcom
    assert "nicht gesetzt" in retell and "löschen" not in retell
    assert "cal_live_secret_123" not in page and "1234" not in calcom


def test_a_secret_is_replaced_kept_or_cleared(as_user, ada, company):
    company.calcom_api_key, company.twilio_auth_token = "cal_old", "token_old"
    company.save()
    client = as_user(ada)
    change = f"{URL}{company.pk}/change/"

    client.post(change, form_data(company, calcom_api_key="cal_new", twilio_auth_token__clear="1"))

    company = Company.objects.get(pk=company.pk)
    assert company.calcom_api_key == "cal_new"
    assert company.twilio_auth_token == ""


def test_typed_settings_are_stored_and_empty_means_the_default(as_user, ada, company):
    Company.objects.filter(pk=company.pk).update(
        settings={"USD_EXCHANGE_RATE": {"EUR": "0.9"}, "CALLBACK_SLA_HOURS": {"urgent": 1}}
    )
    company.refresh_from_db()
    client = as_user(ada)
    typed = {
        "setting_callback_sla_hours_normal": "12",
        "setting_notification_quiet_hours_start": "21:30",
        "setting_notification_reminder_offsets_minutes": "1440, 120",
        "setting_policy_always_current": "yes",
    }

    response = client.post(f"{URL}{company.pk}/change/", form_data(company, **typed))

    assert response.status_code == 302
    assert Company.objects.get(pk=company.pk).settings == {
        "USD_EXCHANGE_RATE": {"EUR": "0.9"},  # not on the form: kept as it was
        "CALLBACK_SLA_HOURS": {"normal": 12},  # urgent emptied: the default again
        "NOTIFICATION_QUIET_HOURS": {"start": "21:30"},
        "NOTIFICATION_REMINDER_OFFSETS_MINUTES": [1440, 120],
        "POLICY_ALWAYS_CURRENT": True,
    }


def test_the_form_shows_what_is_stored_and_the_default_in_words(as_user, ada, company):
    Company.objects.filter(pk=company.pk).update(settings={"NOTIFICATION_QUIET_HOURS": {"start": "21:30"}})

    page = page_of(as_user(ada), company)

    assert 'name="setting_notification_quiet_hours_start" value="21:30"' in page
    assert "Leer: der Standard (24)." in page  # normal callbacks' deadline
    assert "Leer: der eingebaute Standard." in page  # Cal.com's wait: the client's own default
    assert "Rückrufe" in page and "Termine" in page and "Benachrichtigungen" in page


def test_a_wrong_setting_is_named_next_to_its_field(as_user, ada, company):
    typed = {
        "setting_notification_reminder_offsets_minutes": "eine Stunde",
        "setting_callback_sla_hours_high": "-1",
    }

    response = as_user(ada).post(f"{URL}{company.pk}/change/", form_data(company, **typed))

    errors = response.context["adminform"].form.errors
    assert errors["setting_notification_reminder_offsets_minutes"] == [
        "Ganze Zahlen mit Kommas getrennt, z. B. „1440, 120“."
    ]
    assert "größer oder gleich 0" in errors["setting_callback_sla_hours_high"][0]
