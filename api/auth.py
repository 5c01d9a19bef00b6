"""`Authorization: Bearer <key>`: the key is looked up in the current company's schema only."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from api.selectors import api_key_for
from api.services import api_key_touch

INVALID_KEY = _("The API key is not valid for this company, or it was revoked.")
READ_ONLY_KEY = _("This API key may only read.")


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        key = api_key_for(token.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        api_key_touch(key=key)
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class HasApiKey(permissions.BasePermission):
    """Any active key may read; writing needs a read-write key."""

    message = READ_ONLY_KEY

    def has_permission(self, request, view) -> bool:
        if request.auth is None:
            raise exceptions.NotAuthenticated()
        return request.method in permissions.SAFE_METHODS or request.auth.can_write


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
