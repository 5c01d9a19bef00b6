"""Retell endpoints, mounted at /webhooks/retell/ in the public URLconf (host-agnostic)."""

from django.urls import path

from integrations.retell import views

app_name = "retell"

urlpatterns = [
    path("", views.call_event, name="events"),
    path("inbound/", views.call_inbound, name="inbound"),
    path("functions/", views.function_call, name="functions"),
]
