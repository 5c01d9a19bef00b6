"""Company admins' endpoints (secret shown once, rotatable) and the delivery log with "redeliver".

Thin on purpose: creating, editing, rotating and redelivering go through webhooks.services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from common.history_admin import RecordHistoryAdmin
from webhooks import services
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

SECRET_SHOWN_ONCE = _("Signing secret for %(url)s (shown only now, copy it): %(secret)s")
REDELIVERED = _("%(count)d deliveries queued again.")


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(RecordHistoryAdmin, ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "active", "failing_since", "disabled_at", "disabled_reason"]
    list_filter = ["active"]
    readonly_fields = ["failing_since", "disabled_at", "disabled_reason", "created_at"]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        if change:
            services.endpoint_update(endpoint=obj)
            return
        endpoint, secret = services.endpoint_create(
            url=obj.url, events=obj.events, description=obj.description, active=obj.active
        )
        obj.pk = endpoint.pk
        messages.warning(request, SECRET_SHOWN_ONCE % {"url": endpoint.url, "secret": secret})

    @admin.action(description=_("Rotate signing secret"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            secret = services.endpoint_rotate_secret(endpoint=endpoint)
            messages.warning(request, SECRET_SHOWN_ONCE % {"url": endpoint.url, "secret": secret})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ModelAdmin):
    list_display = [
        "created_at", "event_type", "endpoint", "status", "attempts", "response_status", "duration_ms",
    ]  # fmt: skip
    list_filter = ["status", "event_type", "endpoint", "created_at"]
    list_select_related = ["endpoint"]
    search_fields = ["message_id", "endpoint__url"]
    date_hierarchy = "created_at"
    actions = ["redeliver"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the log is the history of what was sent

    @admin.action(description=_("Redeliver"), permissions=["change"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for delivery in queryset.select_related("endpoint"):
            services.delivery_redeliver(delivery=delivery)
            count += 1
        messages.success(request, REDELIVERED % {"count": count})
