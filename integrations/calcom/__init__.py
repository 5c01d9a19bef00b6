"""Cal.com: the API v2 client (client.py) and the webhook endpoint (views.py, services.py), no models.

The endpoint is mounted at exactly `/webhooks/calcom/<company-slug>` (no trailing slash: Cal.com does not
follow redirects). Facts about the API: shared/integrations/calcom.md.
"""
