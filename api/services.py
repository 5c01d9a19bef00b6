"""Every change to an API key: creation (the plain key is returned once), revocation, last use."""

from datetime import timedelta
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from api.keys import hash_key, new_key
from api.models import ApiKey

# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class IssuedKey(NamedTuple):
    key: ApiKey
    plaintext: str


@transaction.atomic
def api_key_create(*, name: str, scope: str, by: AbstractBaseUser | None = None) -> IssuedKey:
    """A new key; the plain text exists only in the return value (shown once, stored hashed)."""
    prefix, plaintext = new_key()
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
