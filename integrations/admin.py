"""The webhook inbox in the staff admin: each stored request with its status, read-only.

"Reprocess" queues events again through the integrations' own services, or says why an event is not queued.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.decorators import action

from integrations.calcom.services import calcom_event_reprocess
from integrations.models import WebhookEvent
from integrations.retell.services import retell_event_reprocess
from org import access


@admin.register(WebhookEvent)
class WebhookEventAdmin(ModelAdmin):
    list_display = ("received_at", "source", "event", "external_id", "status", "attempts", "processed_at")
    list_filter = ("source", "status", "event")
    search_fields = ("external_id", "event", "error")
    date_hierarchy = "received_at"
    fields = (
        "source",
        "event",
        "external_id",
        "status",
        "attempts",
        "error",
        "received_at",
        "processed_at",
        "headers",
        "body",
    )
    readonly_fields = fields
    actions = ("reprocess",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEvent]:
        # The list never loads the (large) bodies.
        return super().get_queryset(request).defer("body", "raw_body")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_read_webhook_inbox(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.may_read_webhook_inbox(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Needed for the reprocess action; the fields themselves stay read-only.
        allowed = request.user.has_perm("integrations.change_webhookevent")
        return allowed and access.may_read_webhook_inbox(request.user)

    @action(description=_("Reprocess"), permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        handlers = {
            WebhookEvent.Source.RETELL: retell_event_reprocess,
            WebhookEvent.Source.CALCOM: calcom_event_reprocess,
        }
        count = 0
        for event in queryset:
            try:
                handlers[event.source](event=event)
            except ValidationError as refused:
                self.message_user(request, f"{event}: {' '.join(refused.messages)}", messages.WARNING)
                continue
            count += 1
        message = ngettext(
            "%(count)s event queued for processing.", "%(count)s events queued for processing.", count
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)
