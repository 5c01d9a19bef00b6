"""The platform admin on the public host: companies, their domains and phone numbers."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.sites import UnfoldAdminSite

from common.history_admin import PublicRecordHistoryAdmin
from tenants.admin_onboarding import OnboardingAdminMixin
from tenants.forms import CompanyForm, company_fieldsets
from tenants.models import Company, Domain, PhoneNumber

platform_site = UnfoldAdminSite(name="platform")
KEEP_SECRET_HELP = _("Stored: %(masked)s. Leave empty to keep it; type a new value to replace it.")


class DomainInline(TabularInline):
    model = Domain
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
    list_display = ["domain", "tenant", "is_primary"]
    list_select_related = ["tenant"]
    search_fields = ["domain"]


platform_site.register(User, UserAdmin)
platform_site.register(Group, GroupAdmin)
