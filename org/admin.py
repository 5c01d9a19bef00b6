"""Company configuration screens: branches with hours and closures, services, staff, customers, and the
company's own settings and API keys.

Staff logins are created and re-roled through `org.services` (so the auth group always matches the role);
anonymising a customer goes through `org.privacy`. Who sees which branches, services, staff, customers and
the entries of a customer's history is decided in `org.access`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display

from appointments.admin_booking import may_book
from appointments.models import Appointment
from callbacks import visibility
from callbacks.assignment import with_open_load
from callbacks.models import CallbackRequest
from calls.models import Call
from common.admin_deletion import LinkRowsUnlistedMixin
from common.conf import current_company
from common.history_admin import PublicRecordHistoryAdmin, RecordHistoryAdmin
from common.phone import phone_link, try_normalise_phone
from notifications.admin import CustomerOptOutsInline
from org import access, privacy
from org.activity import PAGE_SIZE as ACTIVITY_PAGE_SIZE
from org.activity import activity_list, audited_models
from org.admin_connections import ConnectionTestsMixin
from org.admin_scoping import ScopedAdmin, branch_filter
from org.models import Customer, Service, Staff
from org.services import staff_ensure, staff_role_set, staff_save
from tenants.admin import CompanyForm, company_fieldsets
from tenants.models import Company

ACTIVITY_TEMPLATE = "admin/org/activity.html"

ANONYMISED = _("%(name)s was anonymised; statistics are kept.")
ANONYMISE_TEMPLATE = "admin/org/customer/anonymise.html"


@admin.register(Service)
class ServiceAdmin(LinkRowsUnlistedMixin, ScopedAdmin, ModelAdmin):
    list_display = ["name", "duration_minutes", "price", "currency", "calcom_event_type_id", "is_active"]
    list_filter = ["is_active", branch_filter("branches")]
    search_fields = ["name"]
    filter_horizontal = ["branches"]

    def access_rule(self, user) -> Q:
        return access.service_q(user)


class StaffForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Only when creating a login; leave empty to send the person a reset link later."),
    )

    class Meta:
        model = Staff
        fields = [
            "name",
            "email",
            "phone",
            "role",
            "branches",
            "services",
            "is_active",
            "accepts_callbacks",
            "max_open_callbacks",
            "language",
        ]


@admin.register(Staff)
class StaffAdmin(LinkRowsUnlistedMixin, ScopedAdmin, RecordHistoryAdmin, ModelAdmin):
    form = StaffForm
    list_display = ["name", "email", "role", "accepts_callbacks", "load_column", "is_active"]
    list_filter = ["role", "is_active", "accepts_callbacks", branch_filter("branches")]
    search_fields = ["name", "email"]
    filter_horizontal = ["branches", "services"]
    list_select_related = ["user"]

    def access_rule(self, user) -> Q:
        return access.staff_q(user)

    def get_queryset(self, request):
        return with_open_load(super().get_queryset(request))

    def has_change_permission(self, request, obj: Staff | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.may_manage_staff(request.user, obj))

    def has_delete_permission(self, request, obj: Staff | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access.may_manage_staff(request.user, obj))

    @display(description=_("open callbacks"), ordering="open_load")
    def load_column(self, obj: Staff) -> str:
        return f"{obj.open_load} / {obj.max_open_callbacks}"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields.pop("password", None)
        return form

    def save_model(self, request, obj: Staff, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            role_changed = "role" in form.changed_data
            staff_save(staff=obj, by=request.user)  # stopping to take callbacks returns them to the pool
            if role_changed:
                staff_role_set(staff=obj, role=obj.role)
            return
        fields = {key: data[key] for key in ("phone", "is_active", "accepts_callbacks", "max_open_callbacks")}
        staff, _created = staff_ensure(
            email=data["email"],
            name=data["name"],
            role=data["role"],
            password=data.get("password") or None,
            language=data["language"],
            **fields,
        )
        obj.pk, obj.user_id = staff.pk, staff.user_id
        obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        form.instance = Staff.objects.get(pk=form.instance.pk)
        super().save_related(request, form, formsets, change)


# --- customers with their history ----------------------------------------------------------------------


class HistoryInline(TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True
    tab = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CustomerCallbacksInline(HistoryInline):
    model = CallbackRequest
    verbose_name_plural = _("Callbacks")
    fields = ["created_at", "callback_branch", "status", "priority", "callback_assignee", "expires_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return visibility.visible_callbacks(request.user).select_related("branch", "assigned_to")

    @admin.display(description=_("branch"))
    def callback_branch(self, callback: CallbackRequest) -> str:
        return str(callback.branch)

    @admin.display(description=_("assigned to"))
    def callback_assignee(self, callback: CallbackRequest) -> str:
        return str(callback.assigned_to or "")


class CustomerAppointmentsInline(HistoryInline):
    model = Appointment
    verbose_name_plural = _("Appointments")
    fields = ["starts_at", "branch", "service", "staff", "status"]
    readonly_fields = fields
    ordering = ["-starts_at"]

    def get_queryset(self, request):
        rows = super().get_queryset(request).filter(access.appointment_q(request.user))
        return rows.select_related("branch", "service", "staff")


class CustomerCallsInline(HistoryInline):
    model = Call
    verbose_name_plural = _("Calls")
    fields = ["started_at", "direction", "status", "duration_ms", "summary"]
    readonly_fields = fields
    ordering = ["-started_at"]

    def get_queryset(self, request):
        return access.scoped(super().get_queryset(request), access.call_q(request.user))


@admin.register(Customer)
class CustomerAdmin(ScopedAdmin, RecordHistoryAdmin, ModelAdmin):
    list_display = [
        "name",
        "phone_column",
        "email",
        "preferred_language",
        "is_vip",
        "anonymised_column",
        "created_at",
    ]
    list_filter = ["is_vip", "preferred_language", ("anonymised_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "phone", "email"]
    inlines = [
        CustomerCallbacksInline,
        CustomerAppointmentsInline,
        CustomerCallsInline,
        CustomerOptOutsInline,
    ]
    readonly_fields = ["anonymised_at", "created_at"]
    actions_detail = ["book_appointment", "export_data", "anonymise"]
    actions = ["anonymise_selected"]

    def access_rule(self, user) -> Q:
        return access.customer_q(user)

    @display(description=_("phone"), ordering="phone")
    def phone_column(self, customer: Customer) -> str:
        return phone_link(customer.phone) or "–"

    def get_search_results(self, request, queryset, search_term):

        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        phone = try_normalise_phone(search_term.strip()) if search_term.strip() else None
        if phone:
            queryset |= self.get_queryset(request).filter(phone=phone)
        return queryset, duplicates

    def has_book_appointment_permission(self, request, object_id=None) -> bool:
        return may_book(request.user)

    @action(
        description=_("Book appointment"),
        url_path="book",
        icon="event_available",
        permissions=["book_appointment"],
    )
    def book_appointment(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The booking screen (appointments.admin_booking) for this customer."""
        customer = get_object_or_404(self.get_queryset(request), pk=object_id)
        url = reverse("admin:appointments_appointment_add")
        return HttpResponseRedirect(f"{url}?customer={customer.pk}")

    def has_anonymise_permission(self, request, object_id=None) -> bool:
        return visibility.is_admin(request.user)

    def has_export_data_permission(self, request, object_id=None) -> bool:
        return visibility.is_admin(request.user)

    @action(
        description=_("Export data (GDPR)"),
        url_path="export",
        icon="download",
        permissions=["export_data"],
    )
    def export_data(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Everything held about the customer as `customer-<id>.json`, recorded in the audit trail."""
        customer = get_object_or_404(Customer, pk=object_id)
        data = privacy.customer_export_for_request(customer=customer)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
        return response

    @display(description=_("anonymised"), boolean=True)
    def anonymised_column(self, obj: Customer) -> bool:
        return obj.anonymised_at is not None

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not visibility.is_admin(request.user):
            actions.pop("anonymise_selected", None)
        return actions

    @action(
        description=_("Anonymise (GDPR)"),
        url_path="anonymise",
        icon="person_off",
        permissions=["anonymise"],
    )
    def anonymise(self, request: HttpRequest, object_id: str) -> HttpResponse:
        customer = get_object_or_404(Customer, pk=object_id)
        change_url = reverse("admin:org_customer_change", args=[customer.pk])
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Anonymise %(name)s?") % {"name": customer.name},
                "customer": customer,
                "change_url": change_url,
            }
            return TemplateResponse(request, ANONYMISE_TEMPLATE, context)
        name = customer.name
        try:
            privacy.customer_anonymise(customer=customer, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, ANONYMISED % {"name": name})
        return HttpResponseRedirect(change_url)

    @admin.action(description=_("Anonymise (GDPR)"), permissions=["anonymise"])
    def anonymise_selected(self, request: HttpRequest, queryset) -> None:
        if not visibility.is_admin(request.user):
            raise PermissionDenied
        done = 0
        for customer in queryset.filter(anonymised_at__isnull=True):
            privacy.customer_anonymise(customer=customer, by=request.user)
            done += 1
        self.message_user(request, gettext("%(count)s customers anonymised.") % {"count": done})


# --- the company's own settings and API keys (admins, on the company's host) -----------------------


class CompanySettingsForm(CompanyForm):
    """The platform form without what only the platform decides (slug, schema, active)."""

    class Meta(CompanyForm.Meta):
        fields = [f for f in CompanyForm.Meta.fields if f not in ("slug", "schema_name", "is_active")]


class ActivityFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("record"), required=False)
    actor = forms.CharField(
        label=_("by"), required=False, help_text=_("user:<login>, phone-agent, system, api-key:<name>")
    )
    since = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = [
            (label, model.instance_type._meta.verbose_name) for label, model in audited_models().items()
        ]
        self.fields["model"].choices = [("", _("all")), *labels]


@admin.register(Company)
class CompanySettingsAdmin(ConnectionTestsMixin, PublicRecordHistoryAdmin, ModelAdmin):
    """Only the current company, only for its admins; secrets are write-only ("set" / "not set"), and
    "Test connection" checks Retell, Cal.com, Twilio and email (org.admin_connections)."""

    form = CompanySettingsForm
    fieldsets = company_fieldsets(platform=False)
    actions = None

    def get_queryset(self, request):
        company = current_company()
        return super().get_queryset(request).filter(pk=company.pk if company else None)

    def _allowed(self, request) -> bool:
        return current_company() is not None and visibility.is_admin(request.user)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self._allowed(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:tenants_company_change", args=[current_company().pk]))

    def get_urls(self):
        view = self.admin_site.admin_view(self.activity_view)
        return [path("activity/", view, name="company_activity"), *super().get_urls()]

    def activity_view(self, request: HttpRequest) -> HttpResponse:
        """The audit trail of the whole company, filterable (admins only)."""
        if not self._allowed(request):
            raise PermissionDenied
        form = ActivityFilterForm(request.GET or None)
        filters = dict(form.cleaned_data) if form.is_valid() else {}
        page = filters.pop("page", None) or 1
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Activity"),
            "form": form,
            "rows": activity_list(**filters, page=page),
            "page": page,
            "page_size": ACTIVITY_PAGE_SIZE,
        }
        return TemplateResponse(request, ACTIVITY_TEMPLATE, context)


from org import admin_absence, admin_branch  # noqa: E402, F401  (absences, branches: their own modules)
