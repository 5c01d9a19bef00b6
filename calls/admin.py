"""Calls in the staff admin (read-only: a record of what happened).

List with caller, customer, duration and cost; the detail shows summary, transcript, recording and
every function the agent ran. "Monthly usage" sums minutes and cost per month. Which calls a user sees,
and that costs and usage are for admins only, is decided in `org.access`.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from calls.models import Call, FunctionInvocation
from calls.selectors import monthly_usage
from common.conf import current_company
from common.csv_export import Column, CsvExportMixin, field, related
from common.money import money_text
from common.phone import phone_link
from org import access
from org.admin_saved_views import SavedViewsAdmin
from org.admin_scoping import ScopedAdmin, branch_filter

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
    return "–" if cents is None else money_text(cents / 100, currency)


@admin.register(Call)
class CallAdmin(SavedViewsAdmin, CsvExportMixin, ScopedAdmin, ReadOnlyAdmin):
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
    list_filter = ("direction", "stage", "successful", "sentiment", branch_filter())
    search_fields = ("retell_call_id", "from_number", "to_number", "customer__name", "summary")
    list_select_related = ("customer", "branch")
    date_hierarchy = "started_at"
    inlines = (FunctionInvocationInline,)
    list_before_template = "admin/calls/call_list_before.html"
    csv_filename = "anrufe.csv"
    csv_columns = [
        (pgettext_lazy("csv", "Started"), field("started_at")),
        (pgettext_lazy("csv", "Direction"), field("direction")),
        (
            pgettext_lazy("csv", "Caller"),
            lambda call: call.to_number if call.direction == Call.Direction.OUTBOUND else call.from_number,
        ),
        (pgettext_lazy("csv", "Customer"), related("customer.name")),
        (pgettext_lazy("csv", "Branch"), related("branch.name")),
        (pgettext_lazy("csv", "Minutes"), lambda call: call.minutes if call.duration_ms else None),
        (pgettext_lazy("csv", "Successful"), field("successful")),
        (pgettext_lazy("csv", "Summary"), field("summary")),
    ]
    csv_cost_columns = [
        (pgettext_lazy("csv", "Cost (cents)"), field("converted_cost_cents")),
        (pgettext_lazy("csv", "Currency"), field("cost_currency")),
    ]
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
    cost_fields = frozenset(("cost", *fieldsets[-1][1]["fields"]))

    def access_rule(self, user) -> Q:
        return access.call_q(user)

    def get_list_display(self, request: HttpRequest):
        shown = super().get_list_display(request)
        return (
            shown if access.may_see_costs(request.user) else [n for n in shown if n not in self.cost_fields]
        )

    def get_csv_columns(self, request: HttpRequest) -> list[Column]:
        """Costs only for whoever may see them (`org.access.may_see_costs`)."""
        extra = self.csv_cost_columns if access.may_see_costs(request.user) else []
        return [*self.csv_columns, *extra]

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if access.may_see_costs(request.user):
            return fieldsets
        return [(title, block) for title, block in fieldsets if not self.cost_fields & set(block["fields"])]

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        call = super().get_object(request, object_id, from_field)
        if call is not None:
            call.viewer = request.user  # the linked appointments and callbacks are the viewer's only
        return call

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra = {"may_see_costs": access.may_see_costs(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra)

    @display(description=_("started"), ordering="started_at")
    def started(self, call: Call) -> str:
        if call.started_at is None:
            return "–"
        tz = call.branch.tzinfo if call.branch else timezone.get_current_timezone()
        return timezone.localtime(call.started_at, tz).strftime("%d.%m.%Y %H:%M")

    @display(description=_("caller"))
    def caller(self, call: Call) -> str:
        number = call.to_number if call.direction == Call.Direction.OUTBOUND else call.from_number
        return phone_link(number) or "–"

    @display(description=_("minutes"), ordering="duration_ms")
    def minutes(self, call: Call) -> str:
        return number_format(call.minutes, 1) if call.duration_ms else "–"

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
        rows = call.appointments.filter(access.appointment_q(call.viewer))
        rows = rows.select_related("service", "branch").order_by("starts_at", "id")
        return _links(
            "admin:appointments_appointment_change",
            [
                (a.pk, f"{a.service} {timezone.localtime(a.starts_at, a.branch.tzinfo):%d.%m.%Y %H:%M}")
                for a in rows
            ],
        )

    @display(description=_("callback requests"))
    def linked_callbacks(self, call: Call) -> str:
        rows = call.callback_requests.filter(access.callback_q(call.viewer)).order_by("created_at", "id")
        return _links(
            "admin:callbacks_callbackrequest_change",
            [(c.pk, f"#{c.pk} {c.get_status_display()}") for c in rows],
        )

    def get_urls(self):
        usage = path("usage/", self.admin_site.admin_view(self.usage_view), name="calls_call_usage")
        return [usage, *super().get_urls()]

    def usage_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_view_permission(request) and access.may_see_costs(request.user)):
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
