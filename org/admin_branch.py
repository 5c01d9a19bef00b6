"""The branch page: details, the opening hours as a week grid, closures, and "Feiertage importieren".

Imported by org.admin. The week grid is `org.forms_hours`; its rows are written by
`org.services.opening_hours_set`, holidays by `org.services.closures_import_holidays`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminPasswordWidget, UnfoldAdminSelectWidget

from common.admin_deletion import LinkRowsUnlistedMixin
from common.crypto import mask_secret
from org import access
from org.admin_scoping import ScopedAdmin
from org.forms_hours import WEEK_FIELDS, WeekHoursFormMixin, week_initial
from org.models import Branch, Closure
from org.services import closures_import_holidays, opening_hours_set
from tenants.admin import KEEP_SECRET_HELP

NOT_SET = _("Not set. Only this branch's Slack messages go there; without it, the company's channel is used.")
IMPORT_TEMPLATE = "admin/org/branch/import_holidays.html"
IMPORTED = _("%(count)s public holidays of %(state)s %(year)s added as closures (%(skipped)s already there).")
STATES = [
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
]


class ClosureInline(TabularInline):
    model = Closure
    extra = 0


class BranchForm(WeekHoursFormMixin, forms.ModelForm):
    """The Slack webhook URL is a secret: never shown again (a masked hint says it is set); blank keeps it."""

    class Meta:
        model = Branch
        fields = ["name", "address", "phone", "email", "timezone", "is_active", "slack_webhook_url"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("slack_webhook_url")  # absent for who may only view (the history page)
        if field is not None:
            field.widget = UnfoldAdminPasswordWidget(
                render_value=False, attrs={"autocomplete": "new-password"}
            )
            stored = self.instance.slack_webhook_url if self.instance.pk else ""
            field.help_text = KEEP_SECRET_HELP % {"masked": mask_secret(stored)} if stored else NOT_SET
        if self.instance.pk and not self.is_bound:
            self.initial.update(week_initial(self.instance))

    def clean_slack_webhook_url(self) -> str:
        typed = self.cleaned_data.get("slack_webhook_url")
        return typed or (self.instance.slack_webhook_url if self.instance.pk else "")


class HolidayImportForm(forms.Form):
    state = forms.ChoiceField(label=_("state"), choices=STATES, widget=UnfoldAdminSelectWidget)
    year = forms.IntegerField(
        label=_("year"), min_value=2000, max_value=2100, widget=UnfoldAdminIntegerFieldWidget
    )


@admin.register(Branch)
class BranchAdmin(LinkRowsUnlistedMixin, ScopedAdmin, ModelAdmin):
    form = BranchForm
    list_display = ["name", "phone", "timezone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]
    inlines = [ClosureInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "address", "phone", "email", "timezone", "is_active", "slack_webhook_url"]},
        ),
        (_("Opening hours"), {"fields": WEEK_FIELDS, "classes": ["hours-grid"]}),
    ]
    actions_detail = ["import_holidays"]

    def access_rule(self, user) -> Q:
        return access.branches_q(user)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        opening_hours_set(branch=form.instance, week=form.week_hours())

    def has_import_holidays_permission(self, request, object_id=None) -> bool:
        return self.has_change_permission(request)

    @action(
        description=_("Import public holidays"),
        url_path="import-holidays",
        icon="event_busy",
        permissions=["import_holidays"],
    )
    def import_holidays(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Pick the state (Bundesland) and year; the holidays become closures (again: nothing added)."""
        branch = get_object_or_404(self.get_queryset(request), pk=object_id)
        change_url = reverse("admin:org_branch_change", args=[branch.pk])
        form = HolidayImportForm(
            request.POST or None, initial={"state": "BE", "year": timezone.localdate().year}
        )
        if request.method != "POST" or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Import public holidays for %(branch)s") % {"branch": branch.name},
                "form": form,
                "change_url": change_url,
            }
            return TemplateResponse(request, IMPORT_TEMPLATE, context)
        state, year = form.cleaned_data["state"], form.cleaned_data["year"]
        created = closures_import_holidays(branch=branch, state=state, year=year)
        total = len(_holiday_days(state, year))
        counts = {"count": len(created), "skipped": total - len(created), "state": dict(STATES)[state]}
        messages.success(request, IMPORTED % {**counts, "year": year})
        return HttpResponseRedirect(change_url)


def _holiday_days(state: str, year: int) -> list:
    import holidays

    return list(holidays.country_holidays("DE", subdiv=state, years=year))
