"""`/api/v1/` on a company's host: the resources, the OpenAPI schema and its docs page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from api.errors import not_found
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

PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny]}

app_name = "api"
urlpatterns = [
    # The description of the API is public (it names no data); the docs page asks for a key to try it.
    path("schema/", SpectacularAPIView.as_view(**PUBLIC), name="schema"),
    # The split view loads its script from a URL instead of inline, so the CSP needs no exception.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", **PUBLIC), name="docs"),
    path("", include(router.urls)),
    re_path(r"", not_found),
]
