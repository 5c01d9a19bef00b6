"""The screen staff work callbacks in: the list, the callback's page, creating one, live figures.

Thin on purpose: every change goes through `callbacks.services`; who may see and act on what comes from
`callbacks.visibility`; figures from `callbacks.dashboard`. This module only shows things and turns forms
into service calls (and service errors back into form errors).
"""

import re
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from callbacks import conf, dashboard, services, visibility
from callbacks.admin.actions import (
    DONE,
    MANAGER_ONLY,
    RowActionsMixin,
    assign_form,
    callback_action,
    escalate_form,
    perform_assign,
    perform_auto_assign,
    perform_cancel,
    perform_complete,
    perform_escalate,
    perform_log_attempt,
    perform_restore,
    perform_soft_delete,
)
from callbacks.admin.booking_link import booking_link
from callbacks.admin.bulk import BulkActionsMixin
from callbacks.admin.changelist import CallbackChangeList
from callbacks.admin.columns import CallbackColumns, deadline_state
from callbacks.admin.export import CallbackExport
from callbacks.admin.filters import (
    AssignedToFilter,
    BranchFilter,
    CreatedPeriodFilter,
    CreatedRangeFilter,
    OverdueFilter,
    TrashFilter,
    UnassignableFilter,
)
from callbacks.admin.forms import (
    AutoAssignForm,
    CancelForm,
    CompleteForm,
    ConfirmForm,
    ContactAttemptForm,
    CreateCallbackForm,
    apply_errors,
)
from callbacks.admin.news import NewCallbacksMixin
from callbacks.admin.quick import LABELS, QuickActionsMixin
from callbacks.admin.timeline import audit_history, timeline_text
from callbacks.models import CallbackRequest
from common.phone import try_normalise_phone
from org import access
from org.admin_saved_views import SavedViewsAdmin
from org.models import Branch, Customer, Service


@admin.register(CallbackRequest)
class CallbackRequestAdmin(
    SavedViewsAdmin,
    CallbackExport,
    NewCallbacksMixin,
    QuickActionsMixin,
    BulkActionsMixin,
    RowActionsMixin,
    CallbackColumns,
    ModelAdmin,
):
    list_display = [
        "customer_column",
        "phone_column",
        "deadline_column",
        "quick_column",
        "status_column",
        "priority_column",
        "assignee_column",
        "service_column",
        "branch_column",
    ]
    list_display_links = ["customer_column"]
    list_select_related = ["branch", "service", "assigned_to", "customer"]
    list_filter = [
        "status",
        "priority",
        BranchFilter,
        AssignedToFilter,
        OverdueFilter,
        CreatedPeriodFilter,
        CreatedRangeFilter,
        UnassignableFilter,
        TrashFilter,
    ]
    search_fields = ["customer_name"]
    search_help_text = _("Name, email address or phone number in any format")
    list_per_page = 50
    list_filter_submit = True
    show_full_result_count = False
    change_form_template = "admin/callbacks/callbackrequest/change_form.html"
    change_list_template = "admin/callbacks/callbackrequest/change_list.html"
    actions = [
        "bulk_assign",
        "bulk_auto_assign",
        "bulk_complete",
        "bulk_change_priority",
        "bulk_soft_delete",
        "bulk_restore",
    ]
    actions_row = [
        "row_assign",
        "row_auto_assign",
        "row_log_attempt",
        "row_complete",
        "row_escalate",
        "row_cancel",
        "row_restore",
    ]
    actions_detail = [
        "row_assign",
        "row_auto_assign",
        "row_log_attempt",
        "row_complete",
        "row_escalate",
        "row_cancel",
        "detail_soft_delete",
        "row_restore",
    ]
    fieldsets = [
        (
            _("Customer"),
            {
                "fields": [
                    "customer_link",
                    "customer_name",
                    "phone_column",
                    "customer_email",
                    "branch_column",
                    "service_column",
                ]
            },
        ),
        (
            _("Processing"),
            {
                "fields": [
                    "status_text",
                    "priority_text",
                    "assignee_column",
                    "assignment_reason_column",
                    "unassignable_reason_column",
                    "deadline_detail",
                    "contact_attempts_count",
                    "escalation_level",
                ]
            },
        ),
        (
            _("Request"),
            {
                "fields": [
                    "source",
                    "phone_given_by_caller",
                    "preferred_window_start",
                    "preferred_window_end",
                    "notes_column",
                    "created_column",
                ]
            },
        ),
    ]

    # --- scoping and permissions ---------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[CallbackRequest]:
        base = CallbackRequest.all_objects if visibility.is_manager(request.user) else CallbackRequest.objects
        open_first = Case(
            When(status__in=CallbackRequest.OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return visibility.visible_callbacks(request.user, base.all()).annotate(urgency=open_first)

    def get_ordering(self, request: HttpRequest) -> list:
        """Overdue first, then the nearest deadline: among open callbacks the earliest deadlines are the
        overdue ones, so open-before-closed plus the deadline gives exactly that order."""
        return ["urgency", F("expires_at").asc(nulls_last=True), "id"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return visibility.role_of(request.user) is not None and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: CallbackRequest | None = None) -> bool:
        if visibility.role_of(request.user) is None:
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: CallbackRequest | None = None) -> bool:
        """Fields are never edited directly: every change is an action that goes through a service."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CallbackRequest | None = None) -> bool:
        """No hard delete from the admin; managers move callbacks to the trash (soft delete)."""
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return visibility.role_of(request.user) is not None and super().has_add_permission(request)

    def has_bulk_permission(self, request: HttpRequest) -> bool:
        return visibility.is_manager(request.user)

    def get_actions(self, request: HttpRequest):
        if not visibility.is_manager(request.user):
            return {}
        return super().get_actions(request)

    def get_actions_row(self, request: HttpRequest):
        actions = super().get_actions_row(request)
        if visibility.is_manager(request.user):
            return actions
        return [a for a in actions if a.action_name.rsplit("_row_", 1)[-1] not in MANAGER_ONLY]

    def get_actions_detail(self, request: HttpRequest, object_id):
        callback = self._visible_object(request, object_id)
        actions = super().get_actions_detail(request, object_id)
        if callback is None:
            return []
        allowed = services.allowed_actions(callback, request.user)
        return [a for a in actions if self._action_key(a.action_name) in allowed]

    def get_changelist(self, request: HttpRequest, **kwargs):
        return CallbackChangeList

    def get_changelist_instance(self, request: HttpRequest):
        """Each listed callback learns what this user may do with it now (the row's buttons and menu)."""
        changelist = super().get_changelist_instance(request)
        for callback in changelist.result_list:
            callback.allowed = services.allowed_actions(callback, request.user)
        return changelist

    @staticmethod
    def _action_key(action_name: str) -> str:
        name = action_name.split("callbackrequest_", 1)[-1]
        return name.removeprefix("row_").removeprefix("detail_")

    def _visible_object(self, request: HttpRequest, object_id) -> CallbackRequest | None:
        cache = request.__dict__.setdefault("_callback_objects", {})
        if object_id not in cache:
            cache[object_id] = (
                self.get_queryset(request)
                .select_related("branch", "assigned_to")
                .filter(pk=object_id)
                .first()
            )
        return cache[object_id]

    def _object_or_refuse(self, request: HttpRequest, object_id) -> CallbackRequest:
        """404 for ids that do not exist in this company; 403 for ones the user may not see or act on
        (`get_queryset` already applies the role scope, including "deleted ones for managers only")."""
        if not str(object_id).isdigit():
            raise PermissionDenied
        callback = self._visible_object(request, object_id)
        if callback is None:
            get_object_or_404(CallbackRequest.all_objects, pk=object_id)
            raise PermissionDenied
        return callback

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        callback = self._object_or_refuse(request, object_id)
        extra_context = {**(extra_context or {}), **self._detail_context(callback)}
        extra_context["book_url"] = booking_link(request, callback)
        extra_context["allowed"] = services.allowed_actions(callback, request.user)
        extra_context["labels"] = LABELS
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._object_or_refuse(request, object_id)
        return super().history_view(request, object_id, extra_context)

    # --- search --------------------------------------------------------------------------------------

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        # The customers' names are looked up first: an OR across the join would read every callback, while
        # ids let each part of the OR use its own index (trigram, migration 0011_callback_list_indexes).
        customers = list(Customer.objects.filter(name__icontains=term).values_list("pk", flat=True))
        query = Q(customer_name__icontains=term) | Q(customer_id__in=customers)
        if "@" in term:
            query |= Q(customer_email__iexact=term)
        phone = try_normalise_phone(term)
        if phone:
            query |= Q(phone=phone)
        digits = re.sub(r"\D", "", term)
        if len(digits) >= 4:
            query |= Q(phone__contains=digits.lstrip("0"))
        if term.lstrip("#").isdigit() and len(term) < 10:
            query |= Q(pk=int(term.lstrip("#")))
        return queryset.filter(query), False

    # --- detail page ---------------------------------------------------------------------------------

    def _detail_context(self, callback: CallbackRequest) -> dict[str, Any]:
        events = list(callback.timeline.select_related("staff").order_by("at", "id"))
        attempts = list(callback.contact_attempts.select_related("staff").order_by("attempted_at", "id"))
        notes = {attempt.pk: attempt.note for attempt in attempts if attempt.note}
        timeline = [{"event": event, "text": timeline_text(event, callback, notes)} for event in events]
        escalations = list(
            callback.escalations.select_related("from_staff", "to_staff", "escalated_by").order_by(
                "escalated_at"
            )
        )
        return {
            "callback": callback,
            "timeline": timeline,
            "attempts": attempts,
            "escalations": escalations,
            "linked_call": callback.call if callback.call_id else None,
            "linked_appointment": callback.appointment if callback.appointment_id else None,
            "audit": audit_history(callback),
            "branch_tz": callback.branch.tzinfo,
            "caller": self.customer_column(callback),
            "deadline_state": deadline_state(callback),
            "warning_seconds": int(conf.sla_warning_lead().total_seconds()),
        }

    # --- live refresh --------------------------------------------------------------------------------

    def get_urls(self):
        live = path(
            "live/",
            self.admin_site.admin_view(self.live_view),
            name="callbacks_callbackrequest_live",
        )
        create = path(
            "add/",
            self.admin_site.admin_view(self.create_view),
            name="callbacks_callbackrequest_add",
        )
        return [live, create, *super().get_urls()]

    def live_view(self, request: HttpRequest) -> JsonResponse:
        """Polled by the list and the dashboard: figures plus a fingerprint that changes with the data."""
        if visibility.role_of(request.user) is None:
            raise PermissionDenied
        figures = dashboard.tiles(request.user)
        return JsonResponse({"fingerprint": dashboard.fingerprint(request.user), "tiles": figures})

    # --- create --------------------------------------------------------------------------------------

    def create_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        branches = Branch.objects.filter(is_active=True)
        if not visibility.is_admin(request.user):
            branches = branches.filter(pk__in=visibility.branch_ids(request.user))
        offered = access.scoped(Service.objects.filter(is_active=True), access.service_q(request.user))
        form = CreateCallbackForm(request.POST or None, branches=branches, services=offered)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = services.callback_create(
                    branch_id=data["branch"].pk,
                    phone=data["phone"],
                    customer_email=data["customer_email"],
                    customer_name=data["customer_name"],
                    service_id=data["service"].pk if data["service"] else None,
                    priority=data["priority"] or None,
                    preferred_window_start=data["preferred_window_start"],
                    preferred_window_end=data["preferred_window_end"],
                    notes=data["notes"],
                    source=CallbackRequest.Source.MANUAL,
                    by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                what = gettext("created") if created.created else gettext("merged into the open request")
                messages.success(request, DONE % {"id": created.callback.pk, "what": what})
                return HttpResponseRedirect(self._change_url(created.callback.pk))
        return self._render_form(request, None, form, title=gettext("New callback request"))

    row_assign = callback_action(
        "assign", _("Assign"), "assign", "person_add", form=assign_form, perform=perform_assign
    )
    row_auto_assign = callback_action(
        "auto_assign",
        _("Auto-assign"),
        "auto-assign",
        "auto_mode",
        form=AutoAssignForm,
        perform=perform_auto_assign,
    )
    row_log_attempt = callback_action(
        "log_attempt",
        _("Log contact attempt"),
        "attempt",
        "call",
        form=ContactAttemptForm,
        perform=perform_log_attempt,
    )
    row_complete = callback_action(
        "complete", _("Mark completed"), "complete", "task_alt", form=CompleteForm, perform=perform_complete
    )
    row_escalate = callback_action(
        "escalate", _("Escalate"), "escalate", "priority_high", form=escalate_form, perform=perform_escalate
    )
    row_cancel = callback_action(
        "cancel",
        _("Cancel callback"),
        "cancel",
        "cancel",
        form=CancelForm,
        perform=perform_cancel,
        danger=True,
    )
    detail_soft_delete = callback_action(
        "soft_delete",
        _("Move to trash"),
        "delete",
        "delete",
        form=ConfirmForm,
        perform=perform_soft_delete,
        danger=True,
    )
    row_restore = callback_action(
        "restore",
        _("Restore from trash"),
        "restore",
        "restore_from_trash",
        form=ConfirmForm,
        perform=perform_restore,
    )
