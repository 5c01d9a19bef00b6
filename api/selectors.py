import hmac

from api.keys import hash_key, prefix_of
from api.models import ApiKey


def api_key_for(plaintext: str) -> ApiKey | None:
    """The active key of this company (the current schema) matching `plaintext`, else None."""
    prefix = prefix_of(plaintext)
    key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first() if prefix else None
    if key is None or not hmac.compare_digest(key.hashed_key, hash_key(plaintext)):
        return None
    return key
