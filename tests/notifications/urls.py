"""A company host's URLs without the delivery-report endpoint (a deployment that has not routed it)."""

from config.urls_tenant import urlpatterns as company_urls

urlpatterns = [pattern for pattern in company_urls if str(pattern.pattern) != "notifications/"]
