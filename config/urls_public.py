"""URLs for hosts that are no company: the platform admin, health check and third-party webhooks."""

import os

from django.urls import include, path

from accounts.views import two_factor_setup
from config.views import healthz, readyz
from tenants.admin import platform_site
from tenants.metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "admin/two-factor/",
        platform_site.admin_view(two_factor_setup),
        {"site": platform_site},
        name="two_factor_setup",
    ),
    path("admin/", platform_site.urls),
    path("webhooks/retell/", include("integrations.retell.urls")),
    path("webhooks/calcom/", include("integrations.calcom.urls")),
    path("webhooks/twilio/", include("notifications.public_urls")),
]

if os.environ.get("BENCH_FLOOR") == "on":  # `make bench`'s own gunicorn only (scripts/bench/floor.py)
    from scripts.bench.floor import urlpatterns as bench_floor

    urlpatterns += bench_floor
