"""Company configuration screens: branches with hours and closures, services, staff, customers."""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from org.models import Branch, Closure, Customer, OpeningHours, Service, Staff


class OpeningHoursInline(TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(TabularInline):
    model = Closure
    extra = 0


@admin.register(Branch)
class BranchAdmin(ModelAdmin):
    list_display = ["name", "phone", "timezone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]
    inlines = [OpeningHoursInline, ClosureInline]


@admin.register(Service)
class ServiceAdmin(ModelAdmin):
    list_display = ["name", "duration_minutes", "price", "currency", "calcom_event_type_id", "is_active"]
    list_filter = ["is_active", "branches"]
    search_fields = ["name"]
    filter_horizontal = ["branches"]


@admin.register(Staff)
class StaffAdmin(ModelAdmin):
    list_display = ["name", "email", "role", "accepts_callbacks", "max_open_callbacks", "is_active"]
    list_filter = ["role", "is_active", "accepts_callbacks", "branches"]
    search_fields = ["name", "email"]
    filter_horizontal = ["branches", "services"]
    list_select_related = ["user"]


@admin.register(Customer)
class CustomerAdmin(ModelAdmin):
    list_display = ["name", "phone", "email", "preferred_language", "is_vip", "created_at"]
    list_filter = ["is_vip", "preferred_language"]
    search_fields = ["name", "phone", "email"]
