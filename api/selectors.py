import hmac

from api.models import ApiKey
from api.services import KEY_START, hash_key


def api_key_for(plaintext: str) -> ApiKey | None:
    """The active key of this company (the current schema) matching `plaintext`, else None."""
    if not plaintext.startswith(KEY_START):
        return None
    prefix = plaintext[len(KEY_START) :].split("_", 1)[0]
    key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.hashed_key, hash_key(plaintext)):
        return None
    return key
