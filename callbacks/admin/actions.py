"""Row and detail actions: the form each asks for and the one service each calls.

Which fit a callback now is `services.refusal`'s decision; the services enforce the rules; this module
turns service errors into form errors.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from callbacks import assignment, services, visibility
from callbacks.admin.forms import AssignForm, EscalateForm, apply_errors
from callbacks.models import CallbackRequest
from org.models import Staff

Status = CallbackRequest.Status


ACTION_TEMPLATE = "admin/callbacks/callbackrequest/action_form.html"
NOT_ALLOWED_NOW = _("“%(action)s” is not possible for callback #%(id)s: %(reason)s.")
NOBODY_ELIGIBLE = _("Nobody can take this callback right now (branch, service or capacity).")
DONE = _("Callback #%(id)s: %(what)s.")


MANAGER_ONLY = {"soft_delete", "restore"}


def eligible_assignees(callback: CallbackRequest, user) -> QuerySet[Staff]:
    """Who may be offered (`assignment.eligible_staff`); staff members may only take a callback themselves."""
    people = assignment.eligible_staff(callback)
    if not visibility.is_manager(user):
        staff = visibility.staff_of(user)
        people = people.filter(pk=staff.pk if staff else None)
    return people.exclude(pk=callback.assigned_to_id or 0).order_by("open_load", "name")


# --- what each row action does (one service call each) -------------------------------------------------

FormFactory = Callable[[HttpRequest, CallbackRequest, Any], forms.Form]
Perform = Callable[[HttpRequest, CallbackRequest, dict], str]


def assign_form(request: HttpRequest, callback: CallbackRequest, data) -> forms.Form:
    form = AssignForm(data, staff=eligible_assignees(callback, request.user))
    if not form.fields["staff"].queryset.exists():
        form.nobody_eligible = NOBODY_ELIGIBLE
    return form


def perform_assign(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_assign(callback=callback, staff=data["staff"], by=request.user)
    return gettext("assigned to %(name)s") % {"name": data["staff"].name}


def perform_auto_assign(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    result = services.callback_auto_assign(callback=callback, strategy=data["strategy"], by=request.user)
    if result.assigned_to_id is None:
        raise ValidationError(result.unassignable_reason_text or NOBODY_ELIGIBLE)
    return gettext("assigned to %(name)s (%(reason)s)") % {
        "name": result.assigned_to.name,
        "reason": result.assignment_reason_text,
    }


def perform_log_attempt(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    attempt = services.callback_record_contact_attempt(
        callback=callback,
        outcome=data["outcome"],
        note=data["note"],
        call_back_at=data["call_back_at"],
        staff=visibility.staff_of(request.user),
        by=request.user,
    )
    return gettext("contact attempt recorded (%(outcome)s)") % {"outcome": attempt.get_outcome_display()}


def perform_complete(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_complete(callback=callback, note=data["note"], by=request.user)
    return gettext("completed")


def escalate_form(request: HttpRequest, callback: CallbackRequest, data) -> forms.Form:
    manager = visibility.is_manager(request.user)
    people = eligible_assignees(callback, request.user) if manager else Staff.objects.none()
    return EscalateForm(data, staff=people)


def perform_escalate(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    escalation = services.callback_escalate(
        callback=callback,
        reason=data["reason"],
        notes=data["details"],
        to_staff=data.get("to_staff"),
        by=request.user,
    )
    return gettext("escalated to level %(level)s") % {"level": escalation.level}


def perform_cancel(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_cancel(callback=callback, reason=data["reason"], by=request.user)
    return gettext("cancelled")


def perform_soft_delete(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_soft_delete(callback=callback, by=request.user)
    return gettext("moved to the trash")


def perform_restore(request: HttpRequest, callback: CallbackRequest, data: dict) -> str:
    services.callback_restore(callback=callback, by=request.user)
    return gettext("restored")


def callback_action(
    key: str,
    description,
    url_path: str,
    icon: str,
    *,
    form: FormFactory | type[forms.Form],
    perform: Perform,
    danger: bool = False,
):
    """An unfold row/detail action: a form page that calls one service, then goes back to the callback.

    `form` is a Form class, or a factory `(request, callback, data) -> Form` when the choices depend on them.
    """
    if isinstance(form, type) and issubclass(form, forms.Form):
        form_class = form
        form = lambda request, callback, data: form_class(data)  # noqa: E731

    def view(model_admin: "RowActionsMixin", request: HttpRequest, object_id: str) -> HttpResponse:
        return model_admin.run_action(
            request, object_id, key=key, title=description, form=form, perform=perform, danger=danger
        )

    view.__name__ = f"{'detail' if key in MANAGER_ONLY and key != 'restore' else 'row'}_{key}"
    return action(description=description, url_path=url_path, icon=icon)(view)


class RowActionsMixin:
    """A form page per row or detail action that calls one service, then goes back to the callback."""

    def _change_url(self, pk: int) -> str:
        return reverse("admin:callbacks_callbackrequest_change", args=[pk])

    def _back_url(self, request: HttpRequest, callback: CallbackRequest) -> str:
        target = request.POST.get("next") or request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return target
        return self._change_url(callback.pk)

    def _render_form(self, request, callback, form, *, title, submit=None, danger=False) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "callback": callback,
            "form": form,
            "submit_label": submit or title,
            "danger": danger,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    def run_action(
        self,
        request: HttpRequest,
        object_id: str,
        *,
        key: str,
        title,
        form: FormFactory,
        perform: Perform,
        danger: bool = False,
    ) -> HttpResponse:
        callback = self._object_or_refuse(request, object_id)
        if key in MANAGER_ONLY and not visibility.is_manager(request.user):
            raise PermissionDenied
        why = services.refusal(key, callback, request.user)
        if why is not None:
            messages.error(request, NOT_ALLOWED_NOW % {"action": title, "id": callback.pk, "reason": why})
            return HttpResponseRedirect(self._back_url(request, callback))
        with timezone.override(callback.branch.tzinfo):
            bound = form(request, callback, request.POST if request.method == "POST" else None)
            if request.method == "POST" and bound.is_valid():
                try:
                    what = perform(request, callback, bound.cleaned_data)
                except ValidationError as error:
                    apply_errors(bound, error)
                else:
                    self.log_change(request, callback, f"{title}: {what}")
                    messages.success(request, DONE % {"id": callback.pk, "what": what})
                    return HttpResponseRedirect(self._back_url(request, callback))
            return self._render_form(request, callback, bound, title=title, danger=danger)
