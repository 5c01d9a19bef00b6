"""The company host's URLs plus the notification endpoints (until config.urls_tenant includes them)."""

from django.urls import include, path

from config.urls_tenant import urlpatterns as company_urls

urlpatterns = [*company_urls, path("notifications/", include("notifications.urls"))]
