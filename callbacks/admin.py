"""Minimal callback screens (read-mostly); the admin helper owns and extends this module.

State changes belong in `callbacks.services`, so the timeline, attempts and escalations are read-only here.
"""

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from callbacks.models import CallbackEscalation, CallbackEvent, CallbackRequest, ContactAttempt


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TimelineInline(ReadOnlyInline):
    model = CallbackEvent
    fields = ["at", "kind", "actor_name", "staff", "message"]
    readonly_fields = fields


class ContactAttemptInline(ReadOnlyInline):
    model = ContactAttempt
    fields = ["attempted_at", "staff", "outcome", "call_back_at", "note"]
    readonly_fields = fields


class EscalationInline(ReadOnlyInline):
    model = CallbackEscalation
    fk_name = "callback"
    fields = ["escalated_at", "reason", "level", "from_staff", "to_staff", "resolved_at", "notes"]
    readonly_fields = fields


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ModelAdmin):
    list_display = [
        "id",
        "customer_name",
        "phone",
        "branch",
        "status",
        "priority",
        "assigned_to",
        "expires_at",
    ]
    list_filter = ["status", "priority", "branch", "source"]
    search_fields = ["customer_name", "phone", "notes"]
    list_select_related = ["branch", "assigned_to"]
    readonly_fields = [
        "status",
        "assigned_to",
        "assignment_reason",
        "unassignable_reason",
        "assigned_at",
        "contacted_at",
        "completed_at",
        "cancelled_at",
        "expired_at",
        "expires_at",
        "escalation_level",
        "contact_attempts_count",
        "deleted_at",
    ]
    inlines = [TimelineInline, ContactAttemptInline, EscalationInline]
