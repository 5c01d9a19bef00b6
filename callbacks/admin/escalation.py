"""Escalations to review (managers and admins), scoped like the callbacks they belong to.

A manager acknowledges an escalation ("Gesehen") and resolves it with a note ("Erledigen"); both are
detail and row actions that call `callbacks.services.escalation_review`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from callbacks import visibility
from callbacks.admin.actions import ACTION_TEMPLATE
from callbacks.admin.forms import apply_errors
from callbacks.models import CallbackEscalation
from callbacks.services.escalation_review import (
    escalation_acknowledge,
    escalation_resolve,
    is_acknowledged,
)
from org.models import Staff


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the escalation for everybody who reviews it later."),
    )


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
        "acknowledged_column",
        "resolved_at",
    ]
    list_filter = ["reason", "level", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["callback", "from_staff", "to_staff"]
    ordering = ["-escalated_at"]
    fields = [
        "callback_link",
        "reason",
        "level",
        "from_column",
        "to_column",
        "escalated_at",
        "notes_column",
        "acknowledged_column",
        "resolved_at",
        "resolution_column",
    ]
    readonly_fields = fields
    actions_row = ["row_acknowledge", "row_resolve"]
    actions_detail = ["row_acknowledge", "row_resolve"]

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

    # --- columns -------------------------------------------------------------------------------------

    @display(description=_("from"), empty_value="—")
    def from_column(self, obj: CallbackEscalation) -> str | None:
        return obj.from_staff.name if obj.from_staff_id else None

    @display(description=_("to"), empty_value="—")
    def to_column(self, obj: CallbackEscalation) -> str | None:
        return obj.to_staff.name if obj.to_staff_id else None

    @display(description=_("notes"), empty_value="—")
    def notes_column(self, obj: CallbackEscalation) -> str | None:
        """What the escalation did, in the reader's language (stored as message keys)."""
        return obj.notes_text or None

    @display(description=_("callback"))
    def callback_link(self, obj: CallbackEscalation) -> str:
        url = reverse("admin:callbacks_callbackrequest_change", args=[obj.callback_id])
        return format_html('<a href="{}" class="text-primary-600">{}</a>', url, obj.callback)

    @display(description=_("acknowledged"), empty_value="—")
    def acknowledged_column(self, obj: CallbackEscalation) -> str | None:
        if not is_acknowledged(obj):
            return None
        at = parse_datetime(obj.metadata["acknowledged_at"])
        if at is None:
            return None
        return f"{obj.metadata.get('acknowledged_by', '')}, {timezone.localtime(at):%d.%m.%Y %H:%M}"

    @display(description=_("resolution"), empty_value="—")
    def resolution_column(self, obj: CallbackEscalation) -> str | None:
        note = obj.metadata.get("resolution_note")
        return f"{note} ({obj.metadata.get('resolved_by', '')})" if note else None

    # --- acknowledge and resolve ---------------------------------------------------------------------

    def _escalation(self, request: HttpRequest, object_id) -> CallbackEscalation:
        if not visibility.is_manager(request.user):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request).select_related("callback__branch"), pk=object_id)

    def _back(self, escalation: CallbackEscalation) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:callbacks_callbackescalation_change", args=[escalation.pk])
        )

    def _form_page(self, request, object_id, *, form_class, perform, title, done) -> HttpResponse:
        """GET shows the form (a confirmation for acknowledging), POST calls the service."""
        escalation = self._escalation(request, object_id)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                perform(escalation, form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                self.log_change(request, escalation, str(title))
                messages.success(request, done)
                return self._back(escalation)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "callback": escalation.callback,
            "form": form,
            "submit_label": title,
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    @action(description=_("Acknowledge"), url_path="acknowledge", icon="visibility")
    def row_acknowledge(self, request: HttpRequest, object_id) -> HttpResponse:
        return self._form_page(
            request,
            object_id,
            form_class=forms.Form,
            perform=lambda escalation, data: escalation_acknowledge(escalation=escalation, by=request.user),
            title=gettext("Acknowledge escalation"),
            done=gettext("Escalation acknowledged."),
        )

    @action(description=_("Resolve"), url_path="resolve", icon="task_alt")
    def row_resolve(self, request: HttpRequest, object_id) -> HttpResponse:
        return self._form_page(
            request,
            object_id,
            form_class=ResolveForm,
            perform=lambda escalation, data: escalation_resolve(
                escalation=escalation, by=request.user, note=data["note"]
            ),
            title=gettext("Resolve escalation"),
            done=gettext("Escalation resolved."),
        )
