"""Endpoints on the platform host (Twilio posts every company's incoming SMS to one URL)."""

from django.urls import path

from notifications.webhooks import twilio_incoming_sms

app_name = "twilio"
urlpatterns = [path("sms/", twilio_incoming_sms, name="incoming-sms")]
