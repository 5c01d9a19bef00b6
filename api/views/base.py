from rest_framework import viewsets
from rest_framework.pagination import CursorPagination

from api.auth import ApiKeyAuthentication, HasApiKey
from api.throttling import AddressThrottle, KeyThrottle


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class ByName(CursorPagination):
    ordering = ("name", "id")
    page_size = 100


class ApiViewSet(viewsets.GenericViewSet):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    throttle_classes = [KeyThrottle, AddressThrottle]
