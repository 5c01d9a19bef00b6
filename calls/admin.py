"""Calls and the webhook inbox in the staff admin (read-only: both are records of what happened).

Calls: list with caller, customer, duration and cost; the detail shows summary, transcript, recording and
every function the agent ran. "Monthly usage" sums minutes and cost per month. The webhook event log
(integrations.WebhookEvent, registered here) shows each stored request with its status and can queue
events again ("reprocess"), through the integrations' own services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display

from calls.models import Call, FunctionInvocation
from calls.selectors import monthly_usage
from common.conf import current_company
from integrations.models import WebhookEvent

USAGE_TEMPLATE = "admin/calls/usage.html"


class ReadOnlyAdmin(ModelAdmin):
    """Records written by integrations: viewable, never added or edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class FunctionInvocationInline(TabularInline):
    model = FunctionInvocation
    extra = 0
    can_delete = False
    fields = ("created_at", "name", "arguments", "spoken", "succeeded", "duration_ms", "error")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # Whoever may see the call may see what the agent did on it.
        return request.user.has_perm("calls.view_call")

    @display(description=_("answer"))
    def spoken(self, invocation: FunctionInvocation) -> str:
        return str((invocation.result or {}).get("message", ""))


def _money(cents, currency: str) -> str:
    return "–" if cents is None else f"{cents / 100:.2f} {currency}"


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = (
        "started",
        "direction",
        "caller",
        "customer",
        "branch",
        "minutes",
        "status",
        "outcome",
        "cost",
    )
    list_filter = ("direction", "stage", "successful", "sentiment", "branch")
    search_fields = ("retell_call_id", "from_number", "to_number", "customer__name", "summary")
    list_select_related = ("customer", "branch")
    date_hierarchy = "started_at"
    inlines = (FunctionInvocationInline,)
    list_before_template = "admin/calls/call_list_before.html"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "retell_call_id",
                    "agent_id",
                    "direction",
                    "from_number",
                    "to_number",
                    "branch",
                    "customer",
                    "status",
                    "stage",
                    "started_at",
                    "ended_at",
                    "duration_ms",
                    "disconnection_reason",
                )
            },
        ),
        (
            _("Analysis"),
            {
                "fields": (
                    "summary",
                    "sentiment",
                    "successful",
                    "in_voicemail",
                    "custom_analysis",
                    "collected_variables",
                    "follow_up_checked_at",
                )
            },
        ),
        (_("Conversation"), {"fields": ("recording", "conversation")}),
        (_("Outcome"), {"fields": ("linked_appointments", "linked_callbacks")}),
        (
            _("Cost"),
            {
                "fields": (
                    "cost_cents",
                    "telephony_cost_cents",
                    "exchange_rate",
                    "converted_cost_cents",
                    "cost_currency",
                )
            },
        ),
    )
    readonly_fields = tuple(name for _title, block in fieldsets for name in block["fields"])

    @display(description=_("started"), ordering="started_at")
    def started(self, call: Call) -> str:
        if call.started_at is None:
            return "–"
        tz = call.branch.tzinfo if call.branch else timezone.get_current_timezone()
        return timezone.localtime(call.started_at, tz).strftime("%d.%m.%Y %H:%M")

    @display(description=_("caller"))
    def caller(self, call: Call) -> str:
        return (call.to_number if call.direction == Call.Direction.OUTBOUND else call.from_number) or "–"

    @display(description=_("minutes"), ordering="duration_ms")
    def minutes(self, call: Call) -> str:
        return f"{call.minutes:.1f}" if call.duration_ms else "–"

    @display(description=_("outcome"), boolean=True, ordering="successful")
    def outcome(self, call: Call) -> bool | None:
        return call.successful

    @display(description=_("cost"), ordering="converted_cost_cents")
    def cost(self, call: Call) -> str:
        return _money(call.converted_cost_cents, call.cost_currency)

    @display(description=_("transcript"))
    def conversation(self, call: Call) -> str:
        if not call.transcript:
            return "–"
        return format_html('<div class="whitespace-pre-line">{}</div>', call.transcript)

    @display(description=_("recording"))
    def recording(self, call: Call) -> str:
        if not call.recording_url:
            return "–"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', call.recording_url, _("listen")
        )

    @display(description=_("appointments"))
    def linked_appointments(self, call: Call) -> str:
        rows = call.appointments.select_related("service", "branch").order_by("starts_at")
        return _links(
            "admin:appointments_appointment_change",
            [
                (a.pk, f"{a.service} {timezone.localtime(a.starts_at, a.branch.tzinfo):%d.%m.%Y %H:%M}")
                for a in rows
            ],
        )

    @display(description=_("callback requests"))
    def linked_callbacks(self, call: Call) -> str:
        rows = call.callback_requests.order_by("created_at")
        return _links(
            "admin:callbacks_callbackrequest_change",
            [(c.pk, f"#{c.pk} {c.get_status_display()}") for c in rows],
        )

    def get_urls(self):
        usage = path("usage/", self.admin_site.admin_view(self.usage_view), name="calls_call_usage")
        return [usage, *super().get_urls()]

    def usage_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        company = current_company()
        currency = company.currency if company else "EUR"
        tz = timezone.get_current_timezone() if company is None else _zone(company.timezone)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Phone agent usage per month"),
            "rows": monthly_usage(currency=currency, tz=tz),
            "currency": currency,
        }
        return TemplateResponse(request, USAGE_TEMPLATE, context)


def _links(view: str, items: list[tuple[int, str]]) -> str:
    if not items:
        return "–"
    return format_html_join(
        ", ", '<a href="{}">{}</a>', ((reverse(view, args=[pk]), label) for pk, label in items)
    )


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
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

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Needed for the reprocess action; the fields themselves stay read-only.
        return request.user.has_perm("integrations.change_webhookevent")

    @action(description=_("Reprocess"), permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        from integrations.calcom.services import calcom_event_reprocess
        from integrations.retell.services import retell_event_reprocess

        handlers = {
            WebhookEvent.Source.RETELL: retell_event_reprocess,
            WebhookEvent.Source.CALCOM: calcom_event_reprocess,
        }
        count = 0
        for event in queryset:
            handlers[event.source](event=event)
            count += 1
        message = ngettext(
            "%(count)s event queued for processing.", "%(count)s events queued for processing.", count
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)
