"""API keys are issued through the service: the plain key exists only in its answer."""

from api.models import ApiKey
from api.services import api_key_create


def issue_key(scope: str = ApiKey.Scope.READ_WRITE, name: str = "Practice software") -> str:
    return api_key_create(name=name, scope=scope).plaintext
