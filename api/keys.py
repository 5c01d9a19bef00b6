"""The form of an API key: `sb_<prefix>_<secret>`; the prefix finds the row, the sha256 proves the rest."""

import hashlib
import secrets

KEY_START = "sb_"


def new_key() -> tuple[str, str]:
    """A fresh (prefix, plaintext) pair."""
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"


def prefix_of(plaintext: str) -> str | None:
    if not plaintext.startswith(KEY_START):
        return None
    return plaintext[len(KEY_START) :].split("_", 1)[0]


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()
