"""URLs on a company's own host (<slug>.<BASE_DOMAIN>): the staff admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import PasswordSetView, two_factor_setup
from config.views import healthz, readyz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "admin/two-factor/",
        admin.site.admin_view(two_factor_setup),
        {"site": admin.site},
        name="two_factor_setup",
    ),
    path("password/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_set"),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("api.urls")),
]
