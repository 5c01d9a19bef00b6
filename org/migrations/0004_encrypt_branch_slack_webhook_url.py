"""Branch Slack webhook URLs were stored in clear: the column becomes text holding a Fernet token, and
every stored URL is encrypted in place (a value that already decrypts is left alone, so running it twice is
harmless). Reversing decrypts them again."""

import django.core.validators
from cryptography.fernet import InvalidToken
from django.db import migrations

import common.crypto

SELECT = "SELECT id, slack_webhook_url FROM org_branch WHERE slack_webhook_url <> ''"
UPDATE = "UPDATE org_branch SET slack_webhook_url = %s WHERE id = %s"


def _is_token(value: str) -> bool:
    try:
        common.crypto.decrypt(value)
    except (InvalidToken, ValueError):
        return False
    return True


def encrypt_stored_urls(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SELECT)
        for pk, value in cursor.fetchall():
            if not _is_token(value):
                cursor.execute(UPDATE, [common.crypto.encrypt(value), pk])


def decrypt_stored_urls(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SELECT)
        for pk, value in cursor.fetchall():
            if _is_token(value):
                cursor.execute(UPDATE, [common.crypto.decrypt(value), pk])


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_audit_trail"),
    ]

    operations = [
        migrations.AlterField(
            model_name="branch",
            name="slack_webhook_url",
            field=common.crypto.EncryptedTextField(
                blank=True,
                default="",
                validators=[django.core.validators.URLValidator()],
                verbose_name="Slack webhook URL",
            ),
        ),
        migrations.RunPython(encrypt_stored_urls, decrypt_stored_urls),
    ]
