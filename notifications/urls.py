"""Endpoints on a company's host: include with `path("notifications/", include("notifications.urls"))`."""

from django.urls import path

from notifications.webhooks import twilio_status

app_name = "notifications"
urlpatterns = [path("twilio/status/", twilio_status, name="twilio-status")]
