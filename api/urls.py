"""`/api/v1/` on a company's host: the resources, the OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api.views.appointments import AppointmentViewSet
from api.views.callbacks import CallbackViewSet
from api.views.org import BranchViewSet, CustomerViewSet, ServiceViewSet, StaffViewSet

router = SimpleRouter()
router.register("callbacks", CallbackViewSet, basename="callback")
router.register("branches", BranchViewSet, basename="branch")
router.register("services", ServiceViewSet, basename="service")
router.register("staff", StaffViewSet, basename="staff")
router.register("customers", CustomerViewSet, basename="customer")
router.register("appointments", AppointmentViewSet, basename="appointment")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
