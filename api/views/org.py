"""Branches, services and staff (read), customers (list, retrieve, create through org.services)."""

from rest_framework import mixins, status
from rest_framework.response import Response

from api import serializers as s
from api.views.base import ApiViewSet, ByName
from org import services
from org.models import Branch, Customer, Service, Staff


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


class CustomerViewSet(mixins.CreateModelMixin, ReadOnlyViewSet):
    queryset = Customer.objects.filter(anonymised_at__isnull=True)
    serializer_class = s.CustomerSerializer

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_create(**serializer.validated_data)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)
