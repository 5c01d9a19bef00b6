"""The columns and read-only fields of the callback list and page."""

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from callbacks import conf
from callbacks.models import CallbackRequest
from callbacks.services import allowed
from common.phone import phone_link
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
TAKE_LABEL = _("Take it")


def deadline_state(callback: CallbackRequest, now: datetime | None = None) -> str:
    """The deadline's colour: "overdue" (red) past it, "soon" (amber) within the SLA warning lead, "ok";
    "" for a closed callback or one without a deadline. worklist.js repeats this as the clock ticks."""
    if callback.expires_at is None or not callback.is_open:
        return ""
    left = callback.expires_at - (now or timezone.now())
    if left.total_seconds() < 0:
        return "overdue"
    return "soon" if left <= conf.sla_warning_lead() else "ok"


def _deadline_html(callback: CallbackRequest):
    """The list's deadline; the warning lead worklist.js needs is the table's `data-warn`, once a page."""
    state = deadline_state(callback)
    return format_html(
        '<span class="sb-deadline" data-state="{}" data-deadline="{}"{}>'
        '<span class="sb-deadline-local">{}</span> '
        '<span class="sb-deadline-left">{}{}</span></span>',
        state,
        callback.expires_at.isoformat(),
        mark_safe(' data-overdue="1"') if state == "overdue" else "",
        local_datetime(callback.expires_at, callback.branch),
        "⚠ " if state == "overdue" else "",
        relative_deadline(callback.expires_at),
    )


class CallbackColumns:
    """Columns of the list and read-only fields of the page (the page has no editable fields)."""

    @display(description=_("customer"), ordering="customer_name")
    def customer_column(self, obj: CallbackRequest) -> str:
        return obj.customer_name or (obj.customer.name if obj.customer else "") or obj.customer_email or "—"

    @display(description=_("phone"))
    def phone_column(self, obj: CallbackRequest) -> str:
        return phone_link(obj.phone) or "—"

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
        return _deadline_html(obj)

    @display(description=_("next step"))
    def quick_column(self, obj: CallbackRequest) -> str:
        """ "Take it" when the user may (a button of the list's take form: `t` presses it), else the status
        (shown on phones, where the status column is left out)."""
        if allowed.TAKE in getattr(obj, "allowed", ()):
            return format_html(
                '<button type="submit" form="take-form" formaction="{}" name="action" value="take" '
                'class="sb-take" data-action="take">{}</button>',
                f"./{obj.pk}/work/",  # relative to the list, like the row's menu
                TAKE_LABEL,
            )
        return format_html('<span class="sb-status-mobile">{}</span>', obj.get_status_display())

    @display(description=_("deadline"))
    def deadline_detail(self, obj: CallbackRequest) -> str:
        if obj.expires_at is None:
            return "—"
        if not obj.is_open:
            return local_datetime(obj.expires_at, obj.branch)
        return f"{local_datetime(obj.expires_at, obj.branch)} ({relative_deadline(obj.expires_at)})"

    # System texts are stored as message keys (`common.messages`): shown in the reader's language.
    @display(description=_("why this assignee"))
    def assignment_reason_column(self, obj: CallbackRequest) -> str:
        return obj.assignment_reason_text or "—"

    @display(description=_("why nobody could be assigned"))
    def unassignable_reason_column(self, obj: CallbackRequest) -> str:
        return obj.unassignable_reason_text or "—"

    @display(description=_("notes"))
    def notes_column(self, obj: CallbackRequest) -> str:
        return format_html('<div class="whitespace-pre-wrap">{}</div>', obj.notes_text) if obj.notes else "—"

    @display(description=_("customer record"))
    def customer_link(self, obj: CallbackRequest) -> str:
        if obj.customer_id is None:
            return "—"
        url = reverse("admin:org_customer_change", args=[obj.customer_id])
        return format_html('<a href="{}" class="text-primary-600">{}</a>', url, obj.customer)

    def get_readonly_fields(self, request: HttpRequest, obj: CallbackRequest | None = None):
        return [field for _title, options in self.fieldsets for field in options["fields"]]
