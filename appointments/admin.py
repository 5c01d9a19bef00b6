"""Appointments in the staff admin: list, a day view per branch, cancel and reschedule with the policy's
verdict and fee shown before confirming, the event-type mapping screen and the Cal.com connection test.

Thin on purpose: every change goes through `appointments.services`; this module turns forms into service
calls and service errors back into form errors.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldAdminTimeWidget,
    UnfoldBooleanWidget,
)

from appointments import admin_booking, services
from appointments.models import Appointment, EventTypeMapping, SlotHold, UnmappedBooking
from appointments.selectors import appointments_of_day, services_without_event_type
from common.conf import current_company
from common.csv_export import CsvExportMixin, field, related
from common.history_admin import RecordHistoryAdmin
from integrations.calcom.client import calcom_client_for_current_company
from integrations.calcom.errors import CalcomAuthenticationFailed, CalcomError, CalcomUnavailable
from org import access
from org.admin_saved_views import SavedViewsAdmin
from org.admin_scoping import ScopedAdmin, branch_filter, visible_branches
from org.models import Branch, Staff
from policies.services import Actor, can_cancel, can_reschedule

CHANGE_TEMPLATE = "admin/appointments/change.html"
DAY_TEMPLATE = "admin/appointments/day.html"
UNMAPPED_TEMPLATE = "admin/appointments/unmapped.html"
IMPORT_TEMPLATE = "admin/appointments/import_event_types.html"

CANCELLED = _("Appointment cancelled.")
RESCHEDULED = _("Appointment moved to %(when)s.")
DEFERRED = _("Cal.com could not be reached: callback request #%(id)s was created to finish this by hand.")
CONNECTED = _("Cal.com connection works: signed in as %(username)s.")
CONNECTION_REFUSED = _("Cal.com refused the API key: %(message)s")
CONNECTION_DOWN = _("Cal.com could not be reached: %(message)s")
NO_API_KEY = _("This company has no Cal.com API key yet.")
IMPORTED = _("%(count)s event types imported as new services.")


def _actor(request: HttpRequest) -> Actor:
    staff = Staff.objects.filter(user=request.user).first()
    return Actor.of(staff) if staff is not None else Actor.of(None)


def _local(moment: datetime, branch: Branch) -> str:
    return timezone.localtime(moment, branch.tzinfo).strftime("%a %d.%m.%Y %H:%M")


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


class ChangeTermsForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("Override the refusal because"),
        required=False,
        help_text=_("Managers only: the change happens although the policy refuses it."),
        widget=UnfoldAdminTextInputWidget,
    )
    waive_fee = forms.BooleanField(label=_("Waive the fee"), required=False, widget=UnfoldBooleanWidget)
    waive_reason = forms.CharField(label=_("Why waive it"), required=False, widget=UnfoldAdminTextInputWidget)


class RescheduleForm(ChangeTermsForm):
    day = forms.DateField(label=_("New day"), widget=UnfoldAdminDateWidget)
    time = forms.TimeField(label=_("New time"), widget=UnfoldAdminTimeWidget)
    field_order = ["day", "time", "reason", "override_reason", "waive_fee", "waive_reason"]

    def new_start(self, branch: Branch) -> datetime:
        """The time is the branch's local time, whatever the viewer's timezone."""
        return datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"], branch.tzinfo)


class DayForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), widget=UnfoldAdminSelectWidget
    )
    day = forms.DateField(label=_("Day"), widget=UnfoldAdminDateWidget)

    def __init__(self, *args, branches: QuerySet[Branch], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


@admin.register(Appointment)
class AppointmentAdmin(SavedViewsAdmin, CsvExportMixin, ScopedAdmin, RecordHistoryAdmin, ModelAdmin):
    list_display = [
        "starts_column",
        "customer",
        "service",
        "staff",
        "branch",
        "status",
        "source",
        "sync_state",
    ]
    list_select_related = ["customer", "service", "staff", "branch"]
    list_filter = [branch_filter(), "status", "source", "sync_state", "starts_at"]
    search_fields = ["customer__name", "customer__email", "calcom_booking_uid"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    list_per_page = 50
    show_full_result_count = False
    fields = [
        ("customer", "service"),
        ("branch", "staff"),
        ("starts_at", "ends_at"),
        ("status", "source", "sync_state"),
        ("price", "currency"),
        "notes",
        ("calcom_booking_uid", "previous_booking_uids"),
        ("call", "callback"),
        ("reference", "idempotency_key"),
        "policy_snapshot",
    ]
    readonly_fields = [
        name for row in fields for name in (row if isinstance(row, tuple) else (row,)) if name != "notes"
    ]
    actions_detail = ["cancel_appointment", "reschedule_appointment"]
    actions_list = ["day_view"]
    csv_filename = "termine.csv"
    csv_columns = [
        (pgettext_lazy("csv", "Starts"), field("starts_at")),
        (pgettext_lazy("csv", "Ends"), field("ends_at")),
        (pgettext_lazy("csv", "Customer"), related("customer.name")),
        (pgettext_lazy("csv", "Phone"), lambda appointment: str(appointment.customer.phone or "")),
        (pgettext_lazy("csv", "Service"), related("service.name")),
        (pgettext_lazy("csv", "Staff member"), related("staff.name")),
        (pgettext_lazy("csv", "Branch"), related("branch.name")),
        (pgettext_lazy("csv", "Status"), field("status")),
        (pgettext_lazy("csv", "Source"), field("source")),
        (pgettext_lazy("csv", "Price"), field("price")),
        (pgettext_lazy("csv", "Currency"), field("currency")),
    ]

    def access_rule(self, user) -> Q:
        return access.appointment_q(user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin_booking.may_book(request.user)  # "add" is the booking screen (appointment_book)

    def get_urls(self):
        book = self.admin_site.admin_view(partial(admin_booking.book_view, self))
        return [path("add/", book, name="appointments_appointment_add"), *super().get_urls()]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # cancel instead: the record and its modifications stay

    @display(description=_("Starts"), ordering="starts_at")
    def starts_column(self, appointment: Appointment) -> str:
        return _local(appointment.starts_at, appointment.branch)

    def save_model(self, request: HttpRequest, obj: Appointment, form, change: bool) -> None:
        saved = Appointment.objects.get(pk=obj.pk)
        services.appointment_update(appointment=saved, by=_actor(request), notes=obj.notes)

    # --- cancel and reschedule -----------------------------------------------------------------------

    @action(description=_("Cancel"), url_path="cancel", permissions=["change"], icon="event_busy")
    def cancel_appointment(self, request: HttpRequest, object_id: str) -> HttpResponse:
        appointment = self._appointment(request, object_id)
        actor = _actor(request)
        form = ChangeTermsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.appointment_cancel(appointment=appointment, by=actor, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, CANCELLED)
                return self._back(appointment)
        check = can_cancel(appointment, by=actor) if appointment.is_active else None
        return self._page(request, appointment, form, check, title=gettext("Cancel appointment"))

    @action(description=_("Reschedule"), url_path="reschedule", permissions=["change"], icon="event_repeat")
    def reschedule_appointment(self, request: HttpRequest, object_id: str) -> HttpResponse:
        appointment = self._appointment(request, object_id)
        actor = _actor(request)
        form = RescheduleForm(request.POST or None)
        check = None
        if request.method == "POST" and form.is_valid():
            new_start = form.new_start(appointment.branch)
            check = can_reschedule(appointment, new_start, by=actor)
            if "confirm" in request.POST:
                response = self._reschedule(request, appointment, form, new_start, actor)
                if response is not None:
                    return response
        return self._page(request, appointment, form, check, title=gettext("Reschedule appointment"))

    def _reschedule(self, request, appointment, form, new_start, actor) -> HttpResponse | None:
        terms = {k: v for k, v in form.cleaned_data.items() if k not in ("day", "time")}
        try:
            services.appointment_reschedule(appointment=appointment, new_start=new_start, by=actor, **terms)
        except services.AppointmentDeferred as deferred:
            messages.warning(request, DEFERRED % {"id": deferred.callback.pk})
            return self._back(appointment)
        except ValidationError as error:
            _form_errors(form, error)
            return None
        messages.success(request, RESCHEDULED % {"when": _local(new_start, appointment.branch)})
        return self._back(appointment)

    def _appointment(self, request: HttpRequest, object_id: str) -> Appointment:
        """Only an appointment the user may see (another branch's is answered as missing)."""
        related = ("customer", "service", "staff", "branch")
        return get_object_or_404(self.get_queryset(request).select_related(*related), pk=object_id)

    def _back(self, appointment: Appointment) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:appointments_appointment_change", args=[appointment.pk]))

    def _page(self, request, appointment, form, check, *, title) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "appointment": appointment,
            "starts": _local(appointment.starts_at, appointment.branch),
            "form": form,
            "check": check,
        }
        return TemplateResponse(request, CHANGE_TEMPLATE, context)

    # --- day view ------------------------------------------------------------------------------------

    @action(description=_("Day view"), url_path="day", permissions=["view"], icon="calendar_view_day")
    def day_view(self, request: HttpRequest) -> HttpResponse:
        branches = visible_branches(request.user).filter(is_active=True)
        initial = {"branch": branches.first(), "day": timezone.localdate()}
        form = DayForm(request.GET or None, initial=initial, branches=branches)
        branch, day = initial["branch"], initial["day"]
        if form.is_bound and form.is_valid():
            branch, day = form.cleaned_data["branch"], form.cleaned_data["day"]
        rows = appointments_of_day(branch=branch, day=day) if branch else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Appointments of the day"),
            "form": form,
            "branch": branch,
            "day": day,
            "grid": _day_grid(branch, day, rows) if branch else [],
            "previous_day": _day_link(branch, day - timedelta(days=1)),
            "next_day": _day_link(branch, day + timedelta(days=1)),
        }
        return TemplateResponse(request, DAY_TEMPLATE, context)


GRID_STEP = timedelta(minutes=30)


def _day_grid(branch: Branch, day: date, appointments: list[Appointment]) -> list[tuple[str, bool, list]]:
    """Half-hour rows over the branch's opening hours (local time), each with the appointments starting in
    it; an appointment outside the hours gets a row of its own, so nothing is hidden."""
    marks: set[datetime] = set()
    for opens, closes in branch.weekly_hours().day_intervals(day):
        moment = opens
        while moment < closes:
            marks.add(moment)
            moment += GRID_STEP
    rows: dict[datetime, list[Appointment]] = {mark: [] for mark in marks}
    for appointment in appointments:
        mark = max((m for m in marks if m <= appointment.starts_at < m + GRID_STEP), default=None)
        rows.setdefault(mark or appointment.starts_at, []).append(appointment)
    tz = branch.tzinfo

    def local(moment: datetime) -> str:
        return timezone.localtime(moment, tz).strftime("%H:%M")

    return [
        (local(mark), mark in marks, [(local(a.starts_at), a) for a in rows[mark]]) for mark in sorted(rows)
    ]


def _day_link(branch: Branch | None, day: date) -> str:
    if branch is None:
        return ""
    return f"{reverse('admin:appointments_appointment_day_view')}?branch={branch.pk}&day={day.isoformat()}"


class EventTypeMappingForm(forms.ModelForm):
    class Meta:
        model = EventTypeMapping
        fields = ["branch", "service", "staff", "event_type_id", "title", "slug", "length_minutes"]


class ImportBranchForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.filter(is_active=True),
        widget=UnfoldAdminSelectWidget,
        help_text=_("The imported event types book at this branch."),
    )


@admin.register(EventTypeMapping)
class EventTypeMappingAdmin(ModelAdmin):
    form = EventTypeMappingForm
    list_display = ["branch", "service", "staff_column", "event_type_id", "title", "length_minutes"]
    list_select_related = ["branch", "service", "staff"]
    list_filter = ["branch"]
    search_fields = ["service__name", "title", "slug"]
    actions_list = ["test_connection", "import_event_types", "unmapped_services"]

    @display(description=_("Staff member"))
    def staff_column(self, mapping: EventTypeMapping) -> str:
        return mapping.staff.name if mapping.staff_id else gettext("any staff")

    def save_model(self, request: HttpRequest, obj: EventTypeMapping, form, change: bool) -> None:
        data = form.cleaned_data
        saved = services.event_type_map(**data)
        obj.pk = saved.pk

    @action(
        description=_("Test Cal.com connection"), url_path="test-connection", permissions=["view"], icon="lan"
    )
    def test_connection(self, request: HttpRequest) -> HttpResponse:
        company = current_company()
        if company is None or not company.calcom_api_key:
            messages.error(request, NO_API_KEY)
        else:
            _report_connection(request)
        return HttpResponseRedirect(reverse("admin:appointments_eventtypemapping_changelist"))

    @action(description=_("Import event types"), url_path="import", permissions=["add"], icon="download")
    def import_event_types(self, request: HttpRequest) -> HttpResponse:
        """Pick the branch the event types book at, then import them."""
        form = ImportBranchForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
            return TemplateResponse(
                request, IMPORT_TEMPLATE, {**context, "title": gettext("Import event types")}
            )
        company = current_company()
        try:
            created = services.event_types_import(
                branch=form.cleaned_data["branch"], username=getattr(company, "calcom_username", "") or ""
            )
        except CalcomError as error:
            messages.error(request, CONNECTION_DOWN % {"message": error})
        else:
            messages.success(request, IMPORTED % {"count": len(created)})
        return HttpResponseRedirect(reverse("admin:appointments_eventtypemapping_changelist"))

    @action(
        description=_("Services without event type"),
        url_path="unmapped",
        permissions=["view"],
        icon="link_off",
    )
    def unmapped_services(self, request: HttpRequest) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Services without a Cal.com event type"),
            "services": services_without_event_type(),
        }
        return TemplateResponse(request, UNMAPPED_TEMPLATE, context)


def _report_connection(request: HttpRequest) -> None:
    try:
        me = calcom_client_for_current_company().me()
    except CalcomAuthenticationFailed as error:
        messages.error(request, CONNECTION_REFUSED % {"message": error})
    except CalcomUnavailable as error:
        messages.error(request, CONNECTION_DOWN % {"message": error})
    except CalcomError as error:
        messages.error(request, CONNECTION_REFUSED % {"message": error})
    else:
        messages.success(request, CONNECTED % {"username": me.get("username", "?")})


@admin.register(SlotHold)
class SlotHoldAdmin(ScopedAdmin, ModelAdmin):
    list_display = ["starts_at", "service", "branch", "customer", "status", "expires_at"]
    list_select_related = ["service", "branch", "customer"]
    list_filter = ["status", branch_filter()]
    readonly_fields = [field.name for field in SlotHold._meta.fields]

    def access_rule(self, user) -> Q:
        return access.appointment_q(user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(UnmappedBooking)
class UnmappedBookingAdmin(ModelAdmin):
    """Cal.com bookings of event types no branch has mapped: map the event type, then reprocess."""

    list_display = ["starts_at", "event_type_id", "attendee_name", "attendee_phone", "status", "callback"]
    list_filter = ["status"]
    search_fields = ["attendee_name", "attendee_email", "attendee_phone", "calcom_booking_uid"]
    readonly_fields = [field.name for field in UnmappedBooking._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.is_admin(request.user)
