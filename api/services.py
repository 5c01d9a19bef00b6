"""Every change to an API key: creation (the plain key is returned once), revocation, last use."""

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from api.models import ApiKey

KEY_START = "sb_"
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class IssuedKey(NamedTuple):
    key: ApiKey
    plaintext: str


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, scope: str, by: AbstractBaseUser | None = None) -> IssuedKey:
    """A new key; the plain text exists only in the return value (shown once, stored hashed)."""
    prefix = secrets.token_hex(6)
    plaintext = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, scope=scope, prefix=prefix, hashed_key=hash_key(plaintext), created_by=by)
    key.full_clean()
    key.save()
    return IssuedKey(key, plaintext)


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_touch(*, key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
