"""Bulk actions on the callback list (managers and admins): ask for a form once, apply to each row."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from callbacks import assignment, services, visibility
from callbacks.admin.actions import ACTION_TEMPLATE
from callbacks.admin.forms import AssignForm, AutoAssignForm, CompleteForm, PriorityForm
from callbacks.models import CallbackRequest

Status = CallbackRequest.Status


BULK_DONE = _("%(what)s: %(ok)s done, %(failed)s not possible.")
BULK_FAILURES = _("Not possible: %(details)s")
BULK_AUTO_ASSIGNED = _(
    "Auto-assigned %(assigned)s, %(unassignable)s without anyone eligible, %(skipped)s skipped."
)
BULK_AUTO_ASSIGNED_TO = _("Assigned to: %(people)s")


class BulkActionsMixin:
    """The `actions` of the callback list; `has_bulk_permission` (managers) guards them all."""

    def _bulk_page(self, request, queryset, form, *, title, action_name) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "submit_label": title,
            "bulk_action": action_name,
            "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
            "selected_count": queryset.count(),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    def _bulk_each(self, request, queryset, title, perform: Callable[[CallbackRequest], None]) -> None:
        done, failed = 0, []
        for callback in queryset.select_related("branch"):
            try:
                perform(callback)
            except ValidationError as error:
                failed.append(f"#{callback.pk}: {' '.join(error.messages)}")
            else:
                self.log_change(request, callback, str(title))
                done += 1
        level = messages.SUCCESS if not failed else messages.WARNING
        self.message_user(request, BULK_DONE % {"what": title, "ok": done, "failed": len(failed)}, level)
        if failed:
            self.message_user(request, BULK_FAILURES % {"details": "; ".join(failed[:20])}, messages.WARNING)

    @admin.action(description=_("Assign to a staff member"), permissions=["bulk"])
    def bulk_assign(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        callbacks = list(queryset.select_related(None).only("pk", "branch_id", "service_id"))
        people = (
            assignment.eligible_for_all(callbacks)
            .filter(pk__in=visibility.visible_staff(request.user).values("pk"))
            .order_by("name")
        )
        form = AssignForm(request.POST if "apply" in request.POST else None, staff=people)
        if form.is_valid():
            staff = form.cleaned_data["staff"]
            self._bulk_each(
                request,
                queryset,
                gettext("Assign to %(name)s") % {"name": staff.name},
                lambda callback: services.callback_assign(callback=callback, staff=staff, by=request.user),
            )
            return None
        return self._bulk_page(
            request, queryset, form, title=gettext("Assign to a staff member"), action_name="bulk_assign"
        )

    @admin.action(description=_("Auto-assign"), permissions=["bulk"])
    def bulk_auto_assign(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        form = AutoAssignForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._bulk_page(
                request, queryset, form, title=gettext("Auto-assign"), action_name="bulk_auto_assign"
            )
        pending = list(queryset.filter(status=Status.PENDING).values_list("pk", flat=True))
        result = services.callbacks_bulk_auto_assign(
            callback_ids=list(queryset.values_list("pk", flat=True)),
            strategy=form.cleaned_data["strategy"],
            by=request.user,
        )
        self.message_user(request, BULK_AUTO_ASSIGNED % result.__dict__, messages.SUCCESS)
        people = (
            CallbackRequest.objects.filter(pk__in=pending, assigned_to__isnull=False)
            .values("assigned_to__name")
            .annotate(n=Count("id"))
            .order_by("-n", "assigned_to__name")
        )
        if people:
            listing = ", ".join(f"{row['assigned_to__name']} ({row['n']})" for row in people)
            self.message_user(request, BULK_AUTO_ASSIGNED_TO % {"people": listing}, messages.INFO)
        return None

    def _bulk_with_form(
        self, request, queryset, form_class, *, title: str, action_name: str, perform
    ) -> TemplateResponse | None:
        """Ask for the form first; once it is valid, run `perform(callback, cleaned_data)` on each row."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._bulk_page(request, queryset, form, title=title, action_name=action_name)
        self._bulk_each(request, queryset, title, lambda callback: perform(callback, form.cleaned_data))
        return None

    @admin.action(description=_("Mark completed"), permissions=["bulk"])
    def bulk_complete(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._bulk_with_form(
            request,
            queryset,
            CompleteForm,
            title=gettext("Mark completed"),
            action_name="bulk_complete",
            perform=lambda callback, data: services.callback_complete(
                callback=callback, note=data["note"], by=request.user
            ),
        )

    @admin.action(description=_("Change priority"), permissions=["bulk"])
    def bulk_change_priority(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._bulk_with_form(
            request,
            queryset,
            PriorityForm,
            title=gettext("Change priority"),
            action_name="bulk_change_priority",
            perform=lambda callback, data: services.callback_set_priority(
                callback=callback, priority=data["priority"], by=request.user
            ),
        )

    @admin.action(description=_("Move to trash"), permissions=["bulk"])
    def bulk_soft_delete(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk_each(
            request,
            queryset,
            gettext("Move to trash"),
            lambda callback: services.callback_soft_delete(callback=callback, by=request.user),
        )

    @admin.action(description=_("Restore from trash"), permissions=["bulk"])
    def bulk_restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk_each(
            request,
            queryset,
            gettext("Restore from trash"),
            lambda callback: services.callback_restore(callback=callback, by=request.user),
        )
