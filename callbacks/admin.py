"""The screen staff work callbacks in, and managers review escalations in.

Thin on purpose: every change goes through `callbacks.services`; who may see and act on what comes from
`callbacks.visibility`; figures from `callbacks.dashboard`. This module only shows things and turns forms
into service calls (and service errors back into form errors).
"""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.forms import RangeDateForm
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from callbacks import assignment, conf, dashboard, services, strategies, visibility
from callbacks.models import (
    CallbackEscalation,
    CallbackEvent,
    CallbackRequest,
    ContactAttempt,
    overdue_q,
)
from common.phone import try_normalise_phone
from common.templatetags.switchboard import local_datetime, relative_deadline
from org.models import Branch, Service, Staff

Status = CallbackRequest.Status
Priority = CallbackRequest.Priority

ACTION_TEMPLATE = "admin/callbacks/callbackrequest/action_form.html"
NOT_ALLOWED_NOW = _("“%(action)s” is not possible for callback #%(id)s in its current state.")
NOBODY_ELIGIBLE = _("Nobody can take this callback right now (branch, service or capacity).")
DONE = _("Callback #%(id)s: %(what)s.")
BULK_DONE = _("%(what)s: %(ok)s done, %(failed)s not possible.")
BULK_FAILURES = _("Not possible: %(details)s")
BULK_AUTO_ASSIGNED = _(
    "Auto-assigned %(assigned)s, %(unassignable)s without anyone eligible, %(skipped)s skipped."
)
BULK_AUTO_ASSIGNED_TO = _("Assigned to: %(people)s")

STATUS_LABELS = {
    Status.PENDING: "warning",
    Status.ASSIGNED: "info",
    Status.CONTACTED: "primary",
    Status.COMPLETED: "success",
    Status.CANCELLED: "default",
    Status.EXPIRED: "danger",
}
PRIORITY_LABELS = {Priority.URGENT: "danger", Priority.HIGH: "warning", Priority.NORMAL: "info"}
STRATEGY_CHOICES = [
    (strategies.LOAD_BASED, _("Load-based (fewest open callbacks first)")),
    (strategies.ROUND_ROBIN, _("Round robin (take turns)")),
]


# --- forms ---------------------------------------------------------------------------------------------


def _text(required: bool, label) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=UnfoldAdminTextareaWidget(attrs={"rows": 3})
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        load = getattr(obj, "open_load", None)
        if load is None:
            return obj.name
        return gettext("%(name)s (%(open)s of %(max)s open)") % {
            "name": obj.name,
            "open": load,
            "max": obj.max_open_callbacks,
        }


class AssignForm(forms.Form):
    staff = StaffChoiceField(
        queryset=Staff.objects.none(), label=_("Staff member"), widget=UnfoldAdminSelectWidget
    )

    def __init__(self, *args: Any, staff: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff


class AutoAssignForm(forms.Form):
    strategy = forms.ChoiceField(
        label=_("Strategy"), choices=STRATEGY_CHOICES, widget=UnfoldAdminSelectWidget
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        configured = conf.assignment_strategy()
        if configured in strategies.STRATEGIES:
            self.fields["strategy"].initial = configured


class ContactAttemptForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ContactAttempt.Outcome.choices, widget=UnfoldAdminSelectWidget
    )
    note = _text(False, _("Note"))
    call_back_at = forms.SplitDateTimeField(
        label=_("Call back at (branch time)"),
        required=False,
        widget=UnfoldAdminSplitDateTimeWidget,
        help_text=_("Only when the customer asked to be called later."),
    )


class CompleteForm(forms.Form):
    note = _text(True, _("Closing note"))


class EscalateForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=CallbackEscalation.Reason.choices,
        initial=CallbackEscalation.Reason.MANUAL,
        widget=UnfoldAdminSelectWidget,
    )
    details = _text(False, _("Details"))
    to_staff = StaffChoiceField(
        queryset=Staff.objects.none(),
        label=_("Hand to"),
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text=_("Leave empty to let the escalation ladder decide."),
    )

    def __init__(self, *args: Any, staff: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff.exists():
            self.fields["to_staff"].queryset = staff
        else:
            del self.fields["to_staff"]


class CancelForm(forms.Form):
    reason = _text(True, _("Reason"))


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("New priority"), choices=CallbackRequest.Priority.choices)


class ConfirmForm(forms.Form):
    pass


class CreateCallbackForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), required=False, widget=UnfoldAdminTextInputWidget)
    customer_email = forms.EmailField(label=_("Email"), required=False, widget=UnfoldAdminTextInputWidget)
    customer_name = forms.CharField(
        label=_("Customer name"), required=False, widget=UnfoldAdminTextInputWidget
    )
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), label=_("Branch"), widget=UnfoldAdminSelectWidget
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True),
        label=_("Service"),
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("automatic")), *Priority.choices],
        widget=UnfoldAdminSelectWidget,
    )
    preferred_window_start = forms.SplitDateTimeField(
        label=_("Preferred from"), required=False, widget=UnfoldAdminSplitDateTimeWidget
    )
    preferred_window_end = forms.SplitDateTimeField(
        label=_("Preferred until"), required=False, widget=UnfoldAdminSplitDateTimeWidget
    )
    notes = _text(False, _("Notes"))

    def __init__(self, *args: Any, branches: QuerySet[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- list filters --------------------------------------------------------------------------------------


class AssignedToFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        people = visibility.visible_staff(request.user).filter(is_active=True).order_by("name")
        return [("me", _("me")), ("none", _("unassigned"))] + [(str(s.pk), s.name) for s in people]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            staff = visibility.staff_of(request.user)
            return queryset.filter(assigned_to=staff.pk) if staff else queryset.none()
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to=int(value))
        return queryset


class BranchFilter(admin.SimpleListFilter):
    title = _("branch")
    parameter_name = "branch"

    def lookups(self, request, model_admin):
        branches = Branch.objects.all()
        if not visibility.is_admin(request.user):
            branches = branches.filter(pk__in=visibility.branch_ids(request.user))
        return [(str(b.pk), b.name) for b in branches]

    def queryset(self, request, queryset):
        return queryset.filter(branch=self.value()) if self.value() else queryset


class YesNoFilter(admin.SimpleListFilter):
    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]


class OverdueFilter(YesNoFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def queryset(self, request, queryset):
        overdue = overdue_q(timezone.now())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class UnassignableFilter(YesNoFilter):
    title = _("nobody eligible")
    parameter_name = "unassignable"

    def queryset(self, request, queryset):
        flagged = Q(status=Status.PENDING, unassignable_since__isnull=False)
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset


class TrashFilter(admin.SimpleListFilter):
    """Deleted callbacks stay out of the list unless a manager opens the trash."""

    title = _("trash")
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("yes", _("deleted callbacks"))] if visibility.is_manager(request.user) else []

    def queryset(self, request, queryset):
        if self.value() == "yes" and visibility.is_manager(request.user):
            return queryset.filter(deleted_at__isnull=False)
        return queryset.filter(deleted_at__isnull=True)


class CreatedPeriodFilter(admin.SimpleListFilter):
    title = _("created")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("today", _("today")), ("7d", _("last 7 days")), ("30d", _("last 30 days"))]

    def queryset(self, request, queryset):
        days = {"today": 0, "7d": 7, "30d": 30}.get(self.value())
        if days is None:
            return queryset
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return queryset.filter(created_at__gte=start - timedelta(days=days))


class CreatedRangeFilter(admin.SimpleListFilter):
    """`?created_from=…&created_to=…`: inclusive dates (company timezone), typed in the UI's format."""

    title = _("created between")
    parameter_name = "created"
    template = "unfold/filters/filters_date_range.html"
    bounds = ("created_from", "created_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.request = request
        for key in self.bounds:
            if key in params:
                value = params.pop(key)
                value = value[-1] if isinstance(value, list) else value
                if value:
                    self.used_parameters[key] = value

    def lookups(self, request, model_admin):
        return ()

    def has_output(self) -> bool:
        return True

    def expected_parameters(self):
        return list(self.bounds)

    def choices(self, changelist):
        data = {key: self.used_parameters.get(key) for key in self.bounds}
        yield {
            "request": self.request,
            "parameter_name": "created",
            "form": RangeDateForm(name="created", data=data),
        }

    def queryset(self, request, queryset):
        field = forms.DateField(required=False)
        try:
            start, end = (field.clean(self.used_parameters.get(key)) for key in self.bounds)
        except ValidationError as error:
            raise IncorrectLookupParameters(error) from error
        if start:
            queryset = queryset.filter(created_at__date__gte=start)
        if end:
            queryset = queryset.filter(created_at__date__lte=end)
        return queryset


# --- which actions fit a callback (the services enforce the rules; this only decides what to offer) ----


def _assignable(callback: CallbackRequest, user) -> bool:
    if not callback.is_open or callback.deleted_at is not None:
        return False
    return visibility.is_manager(user) or callback.assigned_to_id is None


OFFERED: dict[str, Callable[[CallbackRequest, Any], bool]] = {
    "assign": _assignable,
    "auto_assign": lambda cb, user: cb.deleted_at is None and cb.status == Status.PENDING,
    "log_attempt": lambda cb, user: (
        cb.deleted_at is None and cb.status in (Status.ASSIGNED, Status.CONTACTED)
    ),
    "complete": lambda cb, user: cb.deleted_at is None and cb.status == Status.CONTACTED,
    "escalate": lambda cb, user: cb.deleted_at is None and cb.is_open,
    "cancel": lambda cb, user: cb.deleted_at is None and cb.is_open,
    "soft_delete": lambda cb, user: cb.deleted_at is None and visibility.is_manager(user),
    "restore": lambda cb, user: cb.deleted_at is not None and visibility.is_manager(user),
}
MANAGER_ONLY = {"soft_delete", "restore"}


def eligible_assignees(callback: CallbackRequest, user) -> QuerySet[Staff]:
    """Who may be offered (`assignment.eligible_staff`); staff members may only take a callback themselves."""
    people = assignment.eligible_staff(callback)
    if not visibility.is_manager(user):
        staff = visibility.staff_of(user)
        people = people.filter(pk=staff.pk if staff else None)
    return people.exclude(pk=callback.assigned_to_id or 0).order_by("open_load", "name")


# --- what each row action does (one service call each) -------------------------------------------------

FormFactory = Callable[[HttpRequest, CallbackRequest, Any], forms.Form]
Perform = Callable[[HttpRequest, CallbackRequest, dict], str]


def _assign_form(request: HttpRequest, callback: CallbackRequest, data) -> forms.Form:
    form = AssignForm(data, staff=eligible_assignees(callback, request.user))
    if not form.fields["staff"].queryset.exists():
        form.nobody_eligible = NOBODY_ELIGIBLE
    return form


def _perform_assign(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_assign(callback=callback, staff=data["staff"], by=request.user)
    return gettext("assigned to %(name)s") % {"name": data["staff"].name}


def _perform_auto_assign(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    result = services.callback_auto_assign(callback=callback, strategy=data["strategy"], by=request.user)
    if result.assigned_to_id is None:
        raise ValidationError(result.unassignable_reason or NOBODY_ELIGIBLE)
    return gettext("assigned to %(name)s (%(reason)s)") % {
        "name": result.assigned_to.name,
        "reason": result.assignment_reason,
    }


def _perform_log_attempt(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    attempt = services.callback_record_contact_attempt(
        callback=callback,
        outcome=data["outcome"],
        note=data["note"],
        call_back_at=data["call_back_at"],
        staff=visibility.staff_of(request.user),
        by=request.user,
    )
    return gettext("contact attempt recorded (%(outcome)s)") % {"outcome": attempt.get_outcome_display()}


def _perform_complete(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_complete(callback=callback, note=data["note"], by=request.user)
    return gettext("completed")


def _escalate_form(request: HttpRequest, callback: CallbackRequest, data) -> forms.Form:
    manager = visibility.is_manager(request.user)
    people = eligible_assignees(callback, request.user) if manager else Staff.objects.none()
    return EscalateForm(data, staff=people)


def _perform_escalate(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    escalation = services.callback_escalate(
        callback=callback,
        reason=data["reason"],
        notes=data["details"],
        to_staff=data.get("to_staff"),
        by=request.user,
    )
    return gettext("escalated to level %(level)s") % {"level": escalation.level}


def _perform_cancel(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_cancel(callback=callback, reason=data["reason"], by=request.user)
    return gettext("cancelled")


def _perform_soft_delete(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_soft_delete(callback=callback, by=request.user)
    return gettext("moved to the trash")


def _perform_restore(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_restore(callback=callback, by=request.user)
    return gettext("restored")


def callback_action(
    key: str,
    description,
    url_path: str,
    icon: str,
    *,
    form: FormFactory | type[forms.Form],
    perform: Perform,
    danger: bool = False,
):
    """An unfold row/detail action: a form page that calls one service, then goes back to the callback.

    `form` is a Form class, or a factory `(request, callback, data) -> Form` when the choices depend on them.
    """
    if isinstance(form, type) and issubclass(form, forms.Form):
        form_class = form
        form = lambda request, callback, data: form_class(data)  # noqa: E731

    def view(model_admin: "CallbackRequestAdmin", request: HttpRequest, object_id: str) -> HttpResponse:
        return model_admin.run_action(
            request, object_id, key=key, title=description, form=form, perform=perform, danger=danger
        )

    view.__name__ = f"{'detail' if key in MANAGER_ONLY and key != 'restore' else 'row'}_{key}"
    return action(description=description, url_path=url_path, icon=icon)(view)


# --- the admin -----------------------------------------------------------------------------------------


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ModelAdmin):
    list_display = [
        "id",
        "customer_column",
        "phone_column",
        "status_column",
        "priority_column",
        "branch_column",
        "service_column",
        "assignee_column",
        "deadline_column",
        "escalations_column",
        "created_column",
    ]
    list_display_links = ["id", "customer_column"]
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
                    "assignment_reason",
                    "unassignable_reason",
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
                    "preferred_window_start",
                    "preferred_window_end",
                    "notes",
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
        return [a for a in actions if OFFERED[self._action_key(a.action_name)](callback, request.user)]

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
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._object_or_refuse(request, object_id)
        return super().history_view(request, object_id, extra_context)

    # --- search --------------------------------------------------------------------------------------

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        query = Q(customer_name__icontains=term) | Q(customer__name__icontains=term)
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

    # --- columns -------------------------------------------------------------------------------------

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

    # --- detail page ---------------------------------------------------------------------------------

    def _detail_context(self, callback: CallbackRequest) -> dict[str, Any]:
        events = list(callback.timeline.select_related("staff").order_by("at", "id"))
        attempts = list(callback.contact_attempts.select_related("staff").order_by("attempted_at", "id"))
        notes = {attempt.pk: attempt.note for attempt in attempts if attempt.note}
        timeline = [{"event": event, "text": _timeline_text(event, callback, notes)} for event in events]
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
            "audit": _audit_history(callback),
            "branch_tz": callback.branch.tzinfo,
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
        form = CreateCallbackForm(request.POST or None, branches=branches)
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
                _apply_errors(form, error)
            else:
                what = gettext("created") if created.created else gettext("merged into the open request")
                messages.success(request, DONE % {"id": created.callback.pk, "what": what})
                return HttpResponseRedirect(self._change_url(created.callback.pk))
        return self._render_form(request, None, form, title=gettext("New callback request"))

    # --- row and detail actions ----------------------------------------------------------------------

    def _change_url(self, pk: int) -> str:
        return reverse("admin:callbacks_callbackrequest_change", args=[pk])

    def _back_url(self, request: HttpRequest, callback: CallbackRequest) -> str:
        target = request.POST.get("next") or request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return target
        return self._change_url(callback.pk)

    def _render_form(self, request, callback, form, *, title, submit=None, danger=False) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "callback": callback,
            "form": form,
            "submit_label": submit or title,
            "danger": danger,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    def run_action(
        self,
        request: HttpRequest,
        object_id: str,
        *,
        key: str,
        title,
        form: FormFactory,
        perform: Perform,
        danger: bool = False,
    ) -> HttpResponse:
        callback = self._object_or_refuse(request, object_id)
        if key in MANAGER_ONLY and not visibility.is_manager(request.user):
            raise PermissionDenied
        if not OFFERED[key](callback, request.user):
            messages.error(request, NOT_ALLOWED_NOW % {"action": title, "id": callback.pk})
            return HttpResponseRedirect(self._back_url(request, callback))
        with timezone.override(callback.branch.tzinfo):
            bound = form(request, callback, request.POST if request.method == "POST" else None)
            if request.method == "POST" and bound.is_valid():
                try:
                    what = perform(request, callback, bound.cleaned_data)
                except ValidationError as error:
                    _apply_errors(bound, error)
                else:
                    self.log_change(request, callback, f"{title}: {what}")
                    messages.success(request, DONE % {"id": callback.pk, "what": what})
                    return HttpResponseRedirect(self._back_url(request, callback))
            return self._render_form(request, callback, bound, title=title, danger=danger)

    row_assign = callback_action(
        "assign", _("Assign"), "assign", "person_add", form=_assign_form, perform=_perform_assign
    )
    row_auto_assign = callback_action(
        "auto_assign",
        _("Auto-assign"),
        "auto-assign",
        "auto_mode",
        form=AutoAssignForm,
        perform=_perform_auto_assign,
    )
    row_log_attempt = callback_action(
        "log_attempt",
        _("Log contact attempt"),
        "attempt",
        "call",
        form=ContactAttemptForm,
        perform=_perform_log_attempt,
    )
    row_complete = callback_action(
        "complete", _("Mark completed"), "complete", "task_alt", form=CompleteForm, perform=_perform_complete
    )
    row_escalate = callback_action(
        "escalate", _("Escalate"), "escalate", "priority_high", form=_escalate_form, perform=_perform_escalate
    )
    row_cancel = callback_action(
        "cancel",
        _("Cancel callback"),
        "cancel",
        "cancel",
        form=CancelForm,
        perform=_perform_cancel,
        danger=True,
    )
    detail_soft_delete = callback_action(
        "soft_delete",
        _("Move to trash"),
        "delete",
        "delete",
        form=ConfirmForm,
        perform=_perform_soft_delete,
        danger=True,
    )
    row_restore = callback_action(
        "restore",
        _("Restore from trash"),
        "restore",
        "restore_from_trash",
        form=ConfirmForm,
        perform=_perform_restore,
    )

    # --- bulk actions (managers and admins) ----------------------------------------------------------

    def _bulk_page(self, request, queryset, form, *, title, action_name) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "submit_label": title,
            "bulk_action": action_name,
            "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
            "selected_count": queryset.count(),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    def _bulk_each(self, request, queryset, title, perform: Callable[[CallbackRequest], None]) -> None:
        done, failed = 0, []
        for callback in queryset.select_related("branch"):
            try:
                perform(callback)
            except ValidationError as error:
                failed.append(f"#{callback.pk}: {' '.join(error.messages)}")
            else:
                self.log_change(request, callback, str(title))
                done += 1
        level = messages.SUCCESS if not failed else messages.WARNING
        self.message_user(request, BULK_DONE % {"what": title, "ok": done, "failed": len(failed)}, level)
        if failed:
            self.message_user(request, BULK_FAILURES % {"details": "; ".join(failed[:20])}, messages.WARNING)

    @admin.action(description=_("Assign to a staff member"), permissions=["bulk"])
    def bulk_assign(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        callbacks = list(queryset.select_related(None).only("pk", "branch_id", "service_id"))
        people = (
            assignment.eligible_for_all(callbacks)
            .filter(pk__in=visibility.visible_staff(request.user).values("pk"))
            .order_by("name")
        )
        form = AssignForm(request.POST if "apply" in request.POST else None, staff=people)
        if form.is_valid():
            staff = form.cleaned_data["staff"]
            self._bulk_each(
                request,
                queryset,
                gettext("Assign to %(name)s") % {"name": staff.name},
                lambda callback: services.callback_assign(callback=callback, staff=staff, by=request.user),
            )
            return None
        return self._bulk_page(
            request, queryset, form, title=gettext("Assign to a staff member"), action_name="bulk_assign"
        )

    @admin.action(description=_("Auto-assign"), permissions=["bulk"])
    def bulk_auto_assign(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        form = AutoAssignForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._bulk_page(
                request, queryset, form, title=gettext("Auto-assign"), action_name="bulk_auto_assign"
            )
        pending = list(queryset.filter(status=Status.PENDING).values_list("pk", flat=True))
        result = services.callbacks_bulk_auto_assign(
            callback_ids=list(queryset.values_list("pk", flat=True)),
            strategy=form.cleaned_data["strategy"],
            by=request.user,
        )
        self.message_user(request, BULK_AUTO_ASSIGNED % result.__dict__, messages.SUCCESS)
        people = (
            CallbackRequest.objects.filter(pk__in=pending, assigned_to__isnull=False)
            .values("assigned_to__name")
            .annotate(n=Count("id"))
            .order_by("-n", "assigned_to__name")
        )
        if people:
            listing = ", ".join(f"{row['assigned_to__name']} ({row['n']})" for row in people)
            self.message_user(request, BULK_AUTO_ASSIGNED_TO % {"people": listing}, messages.INFO)
        return None

    def _bulk_with_form(
        self, request, queryset, form_class, *, title: str, action_name: str, perform
    ) -> TemplateResponse | None:
        """Ask for the form first; once it is valid, run `perform(callback, cleaned_data)` on each row."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._bulk_page(request, queryset, form, title=title, action_name=action_name)
        self._bulk_each(request, queryset, title, lambda callback: perform(callback, form.cleaned_data))
        return None

    @admin.action(description=_("Mark completed"), permissions=["bulk"])
    def bulk_complete(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._bulk_with_form(
            request,
            queryset,
            CompleteForm,
            title=gettext("Mark completed"),
            action_name="bulk_complete",
            perform=lambda callback, data: services.callback_complete(
                callback=callback, note=data["note"], by=request.user
            ),
        )

    @admin.action(description=_("Change priority"), permissions=["bulk"])
    def bulk_change_priority(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._bulk_with_form(
            request,
            queryset,
            PriorityForm,
            title=gettext("Change priority"),
            action_name="bulk_change_priority",
            perform=lambda callback, data: services.callback_set_priority(
                callback=callback, priority=data["priority"], by=request.user
            ),
        )

    @admin.action(description=_("Move to trash"), permissions=["bulk"])
    def bulk_soft_delete(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk_each(
            request,
            queryset,
            gettext("Move to trash"),
            lambda callback: services.callback_soft_delete(callback=callback, by=request.user),
        )

    @admin.action(description=_("Restore from trash"), permissions=["bulk"])
    def bulk_restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk_each(
            request,
            queryset,
            gettext("Restore from trash"),
            lambda callback: services.callback_restore(callback=callback, by=request.user),
        )


def _parse_time(value: Any):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if isinstance(value, str) else None


def _timeline_text(event: CallbackEvent, callback: CallbackRequest, notes: dict[int, str]) -> str:
    """What happened, in the reader's language where the entry's data allows; else the stored wording."""
    Kind = CallbackEvent.Kind
    data = event.details or {}
    branch = callback.branch
    if event.kind == Kind.CREATED and data.get("priority") in Priority.values:
        return gettext("Priority %(priority)s, due %(deadline)s") % {
            "priority": Priority(data["priority"]).label,
            "deadline": local_datetime(_parse_time(data.get("expires_at")), branch),
        }
    if event.kind == Kind.ASSIGNED and event.staff is not None:
        return gettext("Assigned to %(staff)s (%(reason)s)") % {
            "staff": event.staff.name,
            "reason": data.get("reason", ""),
        }
    if event.kind == Kind.CONTACT_ATTEMPT and data.get("outcome") in ContactAttempt.Outcome.values:
        label = str(ContactAttempt.Outcome(data["outcome"]).label)
        note = notes.get(data.get("attempt_id"))
        return f"{label} ({note})" if note else label
    if event.kind == Kind.CONTACTED:
        return gettext("Customer reached")
    if event.kind == Kind.DEADLINE_MOVED and data.get("expires_at"):
        return gettext("Deadline moved from %(old)s to %(new)s") % {
            "old": local_datetime(_parse_time(data.get("previous")), branch) or "—",
            "new": local_datetime(_parse_time(data["expires_at"]), branch),
        }
    if event.kind == Kind.ESCALATED and data.get("reason") in CallbackEscalation.Reason.values:
        return gettext("%(reason)s, level %(level)s") % {
            "reason": CallbackEscalation.Reason(data["reason"]).label,
            "level": data.get("level", ""),
        }
    if event.kind == Kind.SLA_APPROACHING and "minutes_left" in data:
        return gettext("Deadline in %(minutes)s minutes") % {"minutes": data["minutes_left"]}
    if event.kind == Kind.CANCELLED:
        return event.message.partition(": ")[2]  # the reason someone typed; the label says "cancelled"
    if event.kind in (Kind.COMPLETED, Kind.EXPIRED, Kind.DELETED, Kind.RESTORED):
        return ""
    return event.message


AUDIT_LENGTH = 50


def _audit_value(field_name: str, value: Any, names: dict[tuple[str, int], str]) -> str:
    """A recorded value as people read it: choice labels, names of related rows, local times."""
    if value in (None, ""):
        return "—"
    field = CallbackRequest._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return names.get((field.related_model._meta.label, value), f"#{value}")
    if isinstance(value, datetime):
        return local_datetime(value)
    return str(value)


def _audit_label(field_name: str) -> str:
    """The field's label; relations without an explicit (translatable) verbose name get one looked up."""
    return capfirst(gettext(str(CallbackRequest._meta.get_field(field_name).verbose_name)))


# Relations declared without a verbose name get Django's automatic label (English); listed here so that
# makemessages offers them for translation and `_audit_label` finds them in the catalogue.
AUDIT_LABELS_FOR_TRANSLATORS = [
    _("assigned to"),
    _("preferred staff"),
    _("customer"),
    _("service"),
    _("call"),
]


def _audit_history(callback: CallbackRequest) -> list[dict[str, Any]]:
    """Old and new values of every recorded change (django-simple-history), newest first."""
    history = getattr(callback, "history", None)
    if history is None:
        return []
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[:AUDIT_LENGTH]
    )
    deltas = [
        newer.diff_against(older).changes if older is not None else []
        for newer, older in zip(records, [*records[1:], None], strict=False)
    ]
    staff_ids = {
        value
        for changes in deltas
        for change in changes
        if change.field in ("assigned_to", "preferred_staff")
        for value in (change.old, change.new)
        if value
    }
    names = {
        (Staff._meta.label, pk): name
        for pk, name in Staff.objects.filter(pk__in=staff_ids).values_list("pk", "name")
    }
    return [
        {
            "at": record.history_date,
            "who": str(record.history_user or ""),
            "type": record.get_history_type_display(),
            "changes": [
                {
                    "field": _audit_label(change.field),
                    "old": _audit_value(change.field, change.old, names),
                    "new": _audit_value(change.field, change.new, names),
                }
                for change in changes
            ],
        }
        for record, changes in zip(records, deltas, strict=True)
    ]


@admin.register(CallbackEscalation)
class CallbackEscalationAdmin(ModelAdmin):
    """Escalations to review (managers and admins), scoped like the callbacks they belong to."""

    list_display = [
        "callback_link",
        "reason",
        "level",
        "from_column",
        "to_column",
        "escalated_at",
        "resolved_at",
    ]
    list_filter = ["reason", "level", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["callback", "from_staff", "to_staff"]
    ordering = ["-escalated_at"]

    def get_queryset(self, request):
        callbacks = visibility.visible_callbacks(request.user)
        return super().get_queryset(request).filter(callback__in=callbacks)

    def has_module_permission(self, request):
        return visibility.is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return visibility.is_manager(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description=_("from"), empty_value="—")
    def from_column(self, obj: CallbackEscalation) -> str | None:
        return obj.from_staff.name if obj.from_staff_id else None

    @display(description=_("to"), empty_value="—")
    def to_column(self, obj: CallbackEscalation) -> str | None:
        return obj.to_staff.name if obj.to_staff_id else None

    @display(description=_("callback"))
    def callback_link(self, obj: CallbackEscalation) -> str:
        url = reverse("admin:callbacks_callbackrequest_change", args=[obj.callback_id])
        return format_html('<a href="{}" class="text-primary-600">{}</a>', url, obj.callback)
