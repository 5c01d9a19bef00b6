"""Company secrets encrypted at rest (Fernet, with rotation through MultiFernet).

`FIELD_ENCRYPTION_KEY` holds one or more comma-separated keys: the first encrypts, every key decrypts.
To rotate: put a new key first, deploy, run `manage.py rotate_secrets`, then drop the old key.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

MASK = "••••"


class Secret(str):
    """A decrypted secret that does not show itself in reprs, tracebacks or debug pages."""

    def __repr__(self) -> str:
        return f"Secret({mask_secret(self)!r})"

    def masked(self) -> str:
        return mask_secret(self)


def mask_secret(value: str | None) -> str:
    if not value:
        return ""
    return MASK + value[-4:] if len(value) > 8 else MASK


@lru_cache(maxsize=4)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def secret_box() -> MultiFernet:
    return _box(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return secret_box().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return secret_box().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    return secret_box().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Stores a Fernet token; reads back a `Secret`. Empty stays empty (no secret configured)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        try:
            return Secret(decrypt(value))
        except InvalidToken as exc:
            raise InvalidToken(
                f"{self.model.__name__}.{self.name} cannot be decrypted with the configured keys"
            ) from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(str(value)) if value else ""
