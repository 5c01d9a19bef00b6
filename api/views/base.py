from rest_framework import viewsets
from rest_framework.pagination import CursorPagination

from api.auth import ApiKeyAuthentication, HasApiKey
from api.throttling import AddressThrottle, KeyThrottle
from common.audit import act_as, acting_as, api_key_actor


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class ByName(CursorPagination):
    ordering = ("name", "id")
    page_size = 100


class ApiViewSet(viewsets.GenericViewSet):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    throttle_classes = [KeyThrottle]  # the address is counted in perform_authentication

    def dispatch(self, request, *args, **kwargs):
        with acting_as(""):  # the key is known once `initial` has authenticated the request
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request) -> None:
        # Before the key is looked at (DRF authenticates first, throttles last): guessed keys count too.
        throttle = AddressThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
        super().perform_authentication(request)

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        act_as(api_key_actor(request.auth.name))  # every change this request records names its key


def valid(serializer_class, request) -> dict:
    """The request body checked by `serializer_class` (a 400 naming each field otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
