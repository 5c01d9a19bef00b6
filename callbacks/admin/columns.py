"""The columns and read-only fields of the callback list and page."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from callbacks.models import CallbackRequest
from common.templatetags.switchboard import local_datetime, relative_deadline

Status = CallbackRequest.Status
Priority = CallbackRequest.Priority


STATUS_LABELS = {
    Status.PENDING: "warning",
    Status.ASSIGNED: "info",
    Status.CONTACTED: "primary",
    Status.COMPLETED: "success",
    Status.CANCELLED: "default",
    Status.EXPIRED: "danger",
}
PRIORITY_LABELS = {Priority.URGENT: "danger", Priority.HIGH: "warning", Priority.NORMAL: "info"}


class CallbackColumns:
    """Columns of the list and read-only fields of the page (the page has no editable fields)."""

    @display(description=_("customer"), ordering="customer_name")
    def customer_column(self, obj: CallbackRequest) -> str:
        return obj.customer_name or (obj.customer.name if obj.customer else "") or obj.customer_email or "—"

    @display(description=_("phone"))
    def phone_column(self, obj: CallbackRequest) -> str:
        if not obj.phone:
            return "—"
        return format_html('<a href="tel:{}" class="text-primary-600">{}</a>', obj.phone, obj.phone)

    @display(description=_("status"), ordering="status", label=STATUS_LABELS)
    def status_column(self, obj: CallbackRequest):
        return obj.status, obj.get_status_display()

    @display(description=_("priority"), ordering="priority", label=PRIORITY_LABELS)
    def priority_column(self, obj: CallbackRequest):
        return obj.priority, obj.get_priority_display()

    @display(description=_("escalations"), ordering="escalation_level")
    def escalations_column(self, obj: CallbackRequest) -> int:
        return obj.escalation_level

    @display(description=_("status"))
    def status_text(self, obj: CallbackRequest) -> str:
        return obj.get_status_display()

    @display(description=_("priority"))
    def priority_text(self, obj: CallbackRequest) -> str:
        return obj.get_priority_display()

    @display(description=_("branch"), ordering="branch__name")
    def branch_column(self, obj: CallbackRequest) -> str:
        return obj.branch.name

    @display(description=_("service"), ordering="service__name", empty_value="—")
    def service_column(self, obj: CallbackRequest) -> str | None:
        return obj.service.name if obj.service_id else None

    @display(description=_("assigned to"), ordering="assigned_to__name", empty_value="—")
    def assignee_column(self, obj: CallbackRequest) -> str | None:
        return obj.assigned_to.name if obj.assigned_to_id else None

    @display(description=_("created"), ordering="created_at")
    def created_column(self, obj: CallbackRequest) -> str:
        return local_datetime(obj.created_at, obj.branch)

    @display(description=_("deadline"), ordering="expires_at")
    def deadline_column(self, obj: CallbackRequest) -> str:
        if obj.expires_at is None or not obj.is_open:
            return "—"
        text = relative_deadline(obj.expires_at)
        title = local_datetime(obj.expires_at, obj.branch)
        if obj.is_overdue:
            return format_html(
                '<span class="font-semibold text-red-600" title="{}" data-overdue="1">⚠ {}</span>',
                title,
                text,
            )
        return format_html('<span title="{}">{}</span>', title, text)

    @display(description=_("deadline"))
    def deadline_detail(self, obj: CallbackRequest) -> str:
        if obj.expires_at is None:
            return "—"
        if not obj.is_open:
            return local_datetime(obj.expires_at, obj.branch)
        return f"{local_datetime(obj.expires_at, obj.branch)} ({relative_deadline(obj.expires_at)})"

    @display(description=_("customer record"))
    def customer_link(self, obj: CallbackRequest) -> str:
        if obj.customer_id is None:
            return "—"
        url = reverse("admin:org_customer_change", args=[obj.customer_id])
        return format_html('<a href="{}" class="text-primary-600">{}</a>', url, obj.customer)

    def get_readonly_fields(self, request: HttpRequest, obj: CallbackRequest | None = None):
        return [field for _title, options in self.fieldsets for field in options["fields"]]
