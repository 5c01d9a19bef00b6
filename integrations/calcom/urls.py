"""Cal.com webhook endpoint, mounted at /webhooks/calcom/ on the public URLconf.

Cal.com does not follow redirects: the route is exactly `/webhooks/calcom/<company-slug>` (no trailing slash).
"""

from django.urls import path

from integrations.calcom.views import calcom_webhook

urlpatterns = [path("<slug:slug>", calcom_webhook, name="calcom-webhook")]
