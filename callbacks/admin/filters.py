"""The callback list's filters; who sees which choices comes from `callbacks.visibility`."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter
from unfold.contrib.filters.forms import RangeDateForm

from callbacks import visibility
from callbacks.models import CallbackRequest, overdue_q
from org.models import Branch

Status = CallbackRequest.Status


class AssignedToFilter(DropdownFilter):
    """A drop-down: a link per person made the list's sidebar grow with the staff (about 300 bytes each)."""

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


class BranchFilter(DropdownFilter):
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
