"""Staff admin: policies per level with the hierarchy in view, a preview of the engine, the change record.

Thin on purpose: every save, delete and waiver goes through policies.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action

from common.history_admin import RecordHistoryAdmin
from org import access, roles
from org.admin_scoping import ScopedAdmin, visible_branches
from org.models import Service, Staff
from policies import services
from policies.forms import TIER_FIELDSETS, PolicyForm, PreviewForm, WaiveFeeForm
from policies.models import AppointmentModification, PolicyConfiguration, company_currency
from policies.rules import Level, PolicySettingsError, PolicyType, default_rules, parse_policy_settings
from policies.selectors import Targets, policies_above, policy_chain, policy_overview, policy_table

DEFAULT_DESCRIPTION = _("built-in default: allowed at any time, no fee")
NO_POLICY_HERE = _("no policy here, next level")


def _rules_of(policy: PolicyConfiguration, table: dict | None = None):
    """Effective rules: from the cached table for live policies, from its own settings for deleted ones."""
    table = policy_table() if table is None else table
    target_id = getattr(policy, f"{policy.target_type}_id", None)
    entry = table.get((policy.policy_type, policy.target_type, target_id))
    if entry is not None and entry[0] == policy.pk:
        return entry[1]
    try:
        return parse_policy_settings(policy.policy_type, policy.settings, currency=company_currency())
    except PolicySettingsError:
        return None


def _admin_page(model_admin: ModelAdmin, request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    """A page of our own inside the admin's frame (sidebar, header, breadcrumbs of the model)."""
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **context}
    return TemplateResponse(request, template, context)


class LiveFilter(admin.SimpleListFilter):
    """Live policies by default; deleted ones stay on record and can be restored."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("deleted", _("deleted")), ("all", _("live and deleted"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("live"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "deleted":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.live()


@admin.register(PolicyConfiguration)
class PolicyConfigurationAdmin(ScopedAdmin, RecordHistoryAdmin, ModelAdmin):
    form = PolicyForm
    list_filter = [LiveFilter, "policy_type", "target_type"]
    list_select_related = [
        "branch",
        "service",
        "staff",
        "overrides__branch",
        "overrides__service",
        "overrides__staff",
    ]
    readonly_fields = ["hierarchy", "effective_rules"]
    actions = ["delete_softly", "restore"]
    actions_list = ["overview", "preview"]
    fieldsets = [
        (None, {"fields": ["policy_type", "target_type", "branch", "service", "staff", "overrides"]}),
        (_("Notice and limits"), {"fields": ["hours_before", "limit"]}),
        (
            _("Fee"),
            {
                "fields": [
                    "fee_kind",
                    "fee_amount",
                    "fee_currency",
                    "fee_percentage",
                    "fee_max_amount",
                ]
            },
        ),
        (
            _("Fee tiers"),
            {
                "fields": TIER_FIELDSETS,
                "description": _(
                    "For a tiered fee: one row per tier, hours of notice before the appointment and the fee, "
                    "e.g. 0 to 24: 15,00 €, 24 to 48: 10,00 €, from 48 (to empty): 0."
                ),
            },
        ),
        (_("Hierarchy"), {"fields": ["effective_rules", "hierarchy"]}),
    ]

    def access_rule(self, user) -> Q:
        return access.policy_q(user)

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        table = policy_table()  # once per page, not once per row

        @admin.display(description=_("rules in force"))
        def rules_in_force(policy: PolicyConfiguration) -> str:
            rules = _rules_of(policy, table)
            return rules.describe() if rules is not None else "—"

        return ["policy_type", "target", rules_in_force, "overrides", "is_live", "updated_at"]

    @admin.display(description=_("applies to"), ordering="target_type")
    def target(self, policy: PolicyConfiguration) -> str:
        return policy.target_label

    @admin.display(description=_("live"), boolean=True)
    def is_live(self, policy: PolicyConfiguration) -> bool:
        return policy.is_live

    @admin.display(description=_("rules in force"))
    def effective_rules(self, policy: PolicyConfiguration) -> str:
        if policy.pk is None:
            return gettext("Save the policy to see the rules in force.")
        rules = _rules_of(policy)
        text = rules.describe() if rules is not None else "—"
        if policy.overrides_id:
            text += " " + gettext("(settings not set here are inherited from “%(parent)s”)") % {
                "parent": policy.overrides
            }
        return text

    @admin.display(description=_("without this policy"))
    def hierarchy(self, policy: PolicyConfiguration) -> str:
        """Where the target would fall back to, level by level: "branch Mitte: 24 h notice, …"."""
        if policy.pk is None:
            return gettext("Save the policy to see what it takes precedence over.")
        rows = [
            (
                f"{Level(row.level).label} {row.target or ''}".strip(),
                row.rules.describe() if row.rules is not None else NO_POLICY_HERE,
            )
            for row in policies_above(policy)
        ]
        rows.append((gettext("then"), str(DEFAULT_DESCRIPTION)))
        intro = gettext("Staff → service → branch → company: the most specific policy decides.")
        items = format_html_join("", "<li><strong>{}</strong>: {}</li>", rows)
        return format_html('<p class="mb-2">{}</p><ul class="list-disc ml-4">{}</ul>', intro, items)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a hard delete would lose the record: soft-delete instead
        return actions

    def save_model(self, request: HttpRequest, obj: PolicyConfiguration, form, change: bool) -> None:
        services.policy_save(policy=obj)

    def delete_model(self, request: HttpRequest, obj: PolicyConfiguration) -> None:
        services.policy_delete(policy=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for policy in queryset.live():
            services.policy_delete(policy=policy)

    @admin.action(description=_("Delete selected policies (kept on record)"), permissions=["delete"])
    def delete_softly(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.delete_queryset(request, queryset)
        self.message_user(request, gettext("Deleted; appointments now follow the next level."))

    @admin.action(description=_("Restore selected policies"), permissions=["change"])
    def restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        for policy in queryset.filter(deleted_at__isnull=False):
            try:
                services.policy_restore(policy=policy)
            except ValidationError as error:
                self.message_user(request, f"{policy}: {' '.join(error.messages)}", messages.ERROR)

    @action(
        description=_("Hierarchy overview"), url_path="overview", permissions=["view"], icon="account_tree"
    )
    def overview(self, request: HttpRequest) -> HttpResponse:
        """Every branch, service and staff member per policy type: its own policy or what it inherits."""
        seen = _seen_targets(request.user)
        sections = [
            {
                "policy_type": policy_type,
                "rows": [r for r in policy_overview(policy_type) if _shown(r.target, seen)],
            }
            for policy_type in PolicyType
        ]
        return _admin_page(
            self,
            request,
            "admin/policies/overview.html",
            title=gettext("Who follows which policy"),
            sections=sections,
        )

    @action(description=_("Preview the engine"), url_path="preview", permissions=["view"], icon="science")
    def preview(self, request: HttpRequest) -> HttpResponse:
        form = PreviewForm(request.GET or None, user=request.user)
        answers = []
        if form.is_bound and form.is_valid():
            answers = _preview_answers(form, request)
        return _admin_page(
            self,
            request,
            "admin/policies/preview.html",
            title=gettext("What would the policy engine answer now?"),
            form=form,
            answers=answers,
        )


def _seen_targets(user) -> set[tuple[str, int]]:
    """The branches, services and staff the user sees, as (model label, pk)."""
    rows = [
        *visible_branches(user),
        *access.scoped(Service.objects.all(), access.service_q(user)),
        *access.scoped(Staff.objects.all(), access.staff_q(user)),
    ]
    return {(row._meta.label, row.pk) for row in rows}


def _shown(target: Any, seen: set[tuple[str, int]]) -> bool:
    return target is None or (target._meta.label, target.pk) in seen


def _preview_answers(form: PreviewForm, request: HttpRequest) -> list[dict[str, Any]]:
    appointment = form.cleaned_data["subject"]
    actor = services.Actor.of(getattr(request.user, "staff", None))
    checks = [
        services.can_cancel(appointment, by=actor),
        services.can_reschedule(appointment, new_start=form.new_start_for(appointment), by=actor),
    ]
    return [{"check": check, "chain": _chain_rows(appointment, check)} for check in checks]


def _chain_rows(appointment: Any, check: services.PolicyCheck) -> list[dict[str, Any]]:
    """Each level for this appointment, and which one decided (a snapshot decides on its own)."""
    targets = {
        Level.STAFF: appointment.staff,
        Level.SERVICE: appointment.service,
        Level.BRANCH: appointment.branch,
    }
    chain = policy_chain(policy_type=check.policy.policy_type, targets=Targets.of(appointment))
    rows = []
    for level, resolved in zip((Level.STAFF, Level.SERVICE, Level.BRANCH, Level.COMPANY), chain, strict=True):
        rows.append(
            {
                "level": level.label,
                "target": targets.get(level) or "",
                "rules": resolved.rules.describe() if resolved else NO_POLICY_HERE,
                "policy_id": resolved.policy_id if resolved else None,
                "decides": check.judged_by == "current" and check.level == level,
            }
        )
    rows.append(
        {
            "level": Level.DEFAULT.label,
            "target": "",
            "rules": default_rules(PolicyType(check.policy.policy_type)).describe(),
            "policy_id": None,
            "decides": check.judged_by == "current" and check.level == Level.DEFAULT,
        }
    )
    return rows


@admin.register(AppointmentModification)
class AppointmentModificationAdmin(ScopedAdmin, ModelAdmin):
    """The record of every cancellation and reschedule; read-only except a manager's fee waiver."""

    list_display = [
        "created_at",
        "modification_type",
        "appointment",
        "customer",
        "within_policy",
        "overridden",
        "fee",
        "done_by",
        "policy_level",
    ]
    list_filter = ["modification_type", "within_policy", "overridden", "waived", "actor_type", "policy_level"]
    list_select_related = ["appointment__service", "customer", "actor_staff"]
    search_fields = ["customer__name", "reason", "override_reason", "waive_reason"]
    date_hierarchy = "created_at"
    actions_detail = ["waive_fee"]

    def access_rule(self, user) -> Q:
        return access.appointment_q(user, "appointment__")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_waive_fee_permission(self, request: HttpRequest, object_id=None) -> bool:
        staff = getattr(request.user, "staff", None)
        return self.has_view_permission(request) and roles.is_manager(staff)

    @admin.display(description=_("fee"))
    def fee(self, modification: AppointmentModification) -> str:
        amount = f"{modification.fee_amount} {modification.fee_currency}"
        if modification.waived:
            return format_html("<s>{}</s> {}", amount, gettext("waived"))
        return amount

    @admin.display(description=_("done by"))
    def done_by(self, modification: AppointmentModification) -> str:
        return str(modification.actor_staff or modification.get_actor_type_display())

    @action(description=_("Waive the fee"), url_path="waive-fee", permissions=["waive_fee"], icon="money_off")
    def waive_fee(self, request: HttpRequest, object_id: str) -> HttpResponse:
        modification = get_object_or_404(self.get_queryset(request), pk=object_id)
        form = WaiveFeeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.modification_waive_fee(
                    modification=modification, by=request.user.staff, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, gettext("The fee has been waived."))
                url = reverse("admin:policies_appointmentmodification_change", args=[modification.pk])
                return HttpResponseRedirect(url)
        return _admin_page(
            self,
            request,
            "admin/policies/waive_fee.html",
            title=gettext("Waive the fee"),
            form=form,
            modification=modification,
        )
