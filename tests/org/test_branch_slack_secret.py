"""A branch's Slack webhook URL is a credential: encrypted at rest, never shown again in the admin."""

import importlib

from django.db import connection

from org.models import Branch
from tests.factories.org import BranchFactory

HOOK = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnop"
MIGRATION = importlib.import_module("org.migrations.0004_encrypt_branch_slack_webhook_url")


def stored(branch: Branch) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT slack_webhook_url FROM org_branch WHERE id = %s", [branch.pk])
        return cursor.fetchone()[0]


def form_data(**changes) -> dict:
    data = {
        "name": "Mitte",
        "timezone": "Europe/Berlin",
        "is_active": "on",
        "slack_webhook_url": "",
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_the_url_is_encrypted_at_rest_and_read_back(company):
    branch = BranchFactory(slack_webhook_url=HOOK)

    assert "hooks.slack.com" not in stored(branch)
    assert Branch.objects.get(pk=branch.pk).slack_webhook_url == HOOK


def test_the_migration_encrypts_urls_stored_in_clear_and_leaves_encrypted_ones(company):
    in_clear, encrypted = BranchFactory(), BranchFactory(slack_webhook_url=HOOK)
    token = stored(encrypted)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE org_branch SET slack_webhook_url = %s WHERE id = %s", [HOOK, in_clear.pk])

    with connection.schema_editor() as editor:
        MIGRATION.encrypt_stored_urls(None, editor)
        MIGRATION.encrypt_stored_urls(None, editor)  # twice: still one layer of encryption

    assert "hooks.slack.com" not in stored(in_clear) and stored(encrypted) == token
    assert Branch.objects.get(pk=in_clear.pk).slack_webhook_url == HOOK
    with connection.schema_editor() as editor:
        MIGRATION.decrypt_stored_urls(None, editor)
    assert stored(in_clear) == HOOK


def test_the_admin_never_shows_the_url_only_that_it_is_set(as_user, ada, mitte):
    mitte.slack_webhook_url = HOOK
    mitte.save()

    page = as_user(ada).get(f"/admin/org/branch/{mitte.pk}/change/").content.decode()

    assert "abcdefghijklmnop" not in page
    assert "••••mnop" in page


def test_saving_the_branch_without_typing_the_url_keeps_it_and_typing_replaces_it(as_user, ada, mitte):
    mitte.slack_webhook_url = HOOK
    mitte.save()
    client = as_user(ada)

    assert client.post(f"/admin/org/branch/{mitte.pk}/change/", form_data(name="Mitte 2")).status_code == 302
    assert Branch.objects.get(pk=mitte.pk).slack_webhook_url == HOOK
    new = "https://hooks.slack.com/services/T000/B000/zyxw"
    assert (
        client.post(f"/admin/org/branch/{mitte.pk}/change/", form_data(slack_webhook_url=new)).status_code
        == 302
    )
    assert Branch.objects.get(pk=mitte.pk).slack_webhook_url == new


def test_a_url_that_is_no_url_is_refused(as_user, ada, mitte):
    response = as_user(ada).post(
        f"/admin/org/branch/{mitte.pk}/change/", form_data(slack_webhook_url="not a url")
    )

    assert response.status_code == 200
    assert Branch.objects.get(pk=mitte.pk).slack_webhook_url == ""
