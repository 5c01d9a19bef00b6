"""Branches, services and staff (read), customers (list, retrieve, create through org.services; anonymise
and export through org.privacy)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api import serializers as s
from api.auth import HasApiKey
from api.views.base import ApiViewSet, ByName
from org import privacy, services
from org.models import Branch, Customer, Service, Staff

EXPORT_NEEDS_WRITE_KEY = _("Exporting a customer's data needs a read-write API key.")


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pagination_class = ByName


class BranchViewSet(ReadOnlyViewSet):
    queryset = Branch.objects.all()
    serializer_class = s.BranchSerializer


class ServiceViewSet(ReadOnlyViewSet):
    queryset = Service.objects.prefetch_related("branches")
    serializer_class = s.ServiceSerializer


class StaffViewSet(ReadOnlyViewSet):
    queryset = Staff.objects.prefetch_related("branches", "services")
    serializer_class = s.StaffSerializer


class WriteKeyOnly(permissions.BasePermission):
    message = EXPORT_NEEDS_WRITE_KEY

    def has_permission(self, request, view) -> bool:
        return request.auth is not None and request.auth.can_write


class CustomerViewSet(mixins.CreateModelMixin, ReadOnlyViewSet):
    queryset = Customer.objects.filter(anonymised_at__isnull=True)
    serializer_class = s.CustomerSerializer

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_create(**serializer.validated_data)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CustomerSerializer)
    @action(detail=True, methods=["post"], queryset=Customer.objects.all())
    def anonymise(self, request, pk=None) -> Response:
        """Erase the customer's personal data everywhere (GDPR); rows and statistics stay. Cannot be undone.
        An already anonymised customer is refused with code `anonymised`."""
        customer = privacy.customer_anonymise(customer=self.get_object())
        return Response(self.get_serializer(customer).data)

    @extend_schema(responses=s.CustomerExportSerializer)
    @action(detail=True, methods=["get"], permission_classes=[HasApiKey, WriteKeyOnly])
    def export(self, request, pk=None) -> Response:
        """Everything held about the customer (a data-subject request), recorded in the audit trail.
        Personal data in bulk: a read-write key is required, as for changes."""
        return Response(privacy.customer_export_for_request(customer=self.get_object()))
