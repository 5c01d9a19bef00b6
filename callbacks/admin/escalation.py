"""Escalations to review (managers and admins), scoped like the callbacks they belong to."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from callbacks import visibility
from callbacks.models import CallbackEscalation
from org.models import Staff


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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Choices only among the callbacks and people the viewer sees."""
        if db_field.name == "callback":
            kwargs["queryset"] = visibility.visible_callbacks(request.user)
        elif db_field.related_model is Staff:
            kwargs["queryset"] = visibility.visible_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
