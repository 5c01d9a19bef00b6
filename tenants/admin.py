"""The platform admin on the public host: companies, their domains and phone numbers."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.sites import UnfoldAdminSite

from common.history_admin import PublicRecordHistoryAdmin
from tenants.admin_onboarding import OnboardingAdminMixin
from tenants.forms import CompanyForm, company_fieldsets
from tenants.models import Company, Domain, PhoneNumber

platform_site = UnfoldAdminSite(name="platform")
KEEP_SECRET_HELP = _("Stored: %(masked)s. Leave empty to keep it; type a new value to replace it.")


# django-tenants' fields have no German names of their own.
DOMAIN_LABELS = {"domain": _("domain"), "tenant": _("company"), "is_primary": _("primary domain")}
DomainForm = modelform_factory(Domain, fields="__all__", labels=DOMAIN_LABELS)


class DomainInline(TabularInline):
    model = Domain
    form = DomainForm
    extra = 0


class PhoneNumberInline(TabularInline):
    model = PhoneNumber
    extra = 0


@admin.register(Company, site=platform_site)
class CompanyAdmin(OnboardingAdminMixin, PublicRecordHistoryAdmin, ModelAdmin):
    form = CompanyForm
    fieldsets = company_fieldsets(platform=True)
    list_display = ["name", "slug", "timezone", "language", "is_active", "created_at"]
    list_filter = ["is_active", "language"]
    search_fields = ["name", "slug"]
    inlines = [DomainInline, PhoneNumberInline]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name="public")

    def save_model(self, request, obj, form, change):
        if not obj.schema_name:
            obj.schema_name = obj.slug
        super().save_model(request, obj, form, change)


@admin.register(PhoneNumber, site=platform_site)
class PhoneNumberAdmin(ModelAdmin):
    list_display = ["number", "company", "branch_id", "label", "is_active"]
    list_filter = ["is_active", "company"]
    search_fields = ["number", "label", "company__name"]
    list_select_related = ["company"]


@admin.register(Domain, site=platform_site)
class DomainAdmin(ModelAdmin):
    list_display = ["host_name", "company", "primary"]
    list_select_related = ["tenant"]
    search_fields = ["domain"]
    form = DomainForm

    @admin.display(description=_("domain"), ordering="domain")
    def host_name(self, domain: Domain) -> str:
        return domain.domain

    @admin.display(description=_("company"), ordering="tenant__name")
    def company(self, domain: Domain) -> str:
        return str(domain.tenant)

    @admin.display(description=_("primary domain"), boolean=True, ordering="is_primary")
    def primary(self, domain: Domain) -> bool:
        return domain.is_primary


class PlatformUserAdmin(UserAdmin):
    """A login may be a staff member in any company's schema, which the platform's database session cannot
    reach (its staff profiles' tables live there), so deleting it here could neither collect nor remove them.
    A platform admin ends a login by unticking "active" instead."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


platform_site.register(User, PlatformUserAdmin)
platform_site.register(Group, GroupAdmin)
