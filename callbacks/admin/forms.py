"""The forms behind the callback actions and the create page (choices that depend on the callback are
passed in by the action that builds the form).
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from callbacks import conf, strategies
from callbacks.models import CallbackEscalation, CallbackRequest, ContactAttempt
from org.models import Branch, Service, Staff

Priority = CallbackRequest.Priority


STRATEGY_CHOICES = [
    (strategies.LOAD_BASED, _("Load-based (fewest open callbacks first)")),
    (strategies.ROUND_ROBIN, _("Round robin (take turns)")),
]


def _text(required: bool, label) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=UnfoldAdminTextareaWidget(attrs={"rows": 3})
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        load = getattr(obj, "open_load", None)
        if load is None:
            return obj.name
        return gettext("%(name)s (%(open)s of %(max)s open)") % {
            "name": obj.name,
            "open": load,
            "max": obj.max_open_callbacks,
        }


class AssignForm(forms.Form):
    staff = StaffChoiceField(
        queryset=Staff.objects.none(), label=_("Staff member"), widget=UnfoldAdminSelectWidget
    )

    def __init__(self, *args: Any, staff: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff


class AutoAssignForm(forms.Form):
    strategy = forms.ChoiceField(
        label=_("Strategy"), choices=STRATEGY_CHOICES, widget=UnfoldAdminSelectWidget
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        configured = conf.assignment_strategy()
        if configured in strategies.STRATEGIES:
            self.fields["strategy"].initial = configured


class ContactAttemptForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ContactAttempt.Outcome.choices, widget=UnfoldAdminSelectWidget
    )
    note = _text(False, _("Note"))
    call_back_at = forms.SplitDateTimeField(
        label=_("Call back at (branch time)"),
        required=False,
        widget=UnfoldAdminSplitDateTimeWidget,
        help_text=_("Only when the customer asked to be called later."),
    )


class CompleteForm(forms.Form):
    note = _text(True, _("Closing note"))


class EscalateForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=CallbackEscalation.Reason.choices,
        initial=CallbackEscalation.Reason.MANUAL,
        widget=UnfoldAdminSelectWidget,
    )
    details = _text(False, _("Details"))
    to_staff = StaffChoiceField(
        queryset=Staff.objects.none(),
        label=_("Hand to"),
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text=_("Leave empty to let the escalation ladder decide."),
    )

    def __init__(self, *args: Any, staff: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff.exists():
            self.fields["to_staff"].queryset = staff
        else:
            del self.fields["to_staff"]


class CancelForm(forms.Form):
    reason = _text(True, _("Reason"))


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("New priority"), choices=CallbackRequest.Priority.choices)


class ConfirmForm(forms.Form):
    pass


class CreateCallbackForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), required=False, widget=UnfoldAdminTextInputWidget)
    customer_email = forms.EmailField(label=_("Email"), required=False, widget=UnfoldAdminTextInputWidget)
    customer_name = forms.CharField(
        label=_("Customer name"), required=False, widget=UnfoldAdminTextInputWidget
    )
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), label=_("Branch"), widget=UnfoldAdminSelectWidget
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True),
        label=_("Service"),
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("automatic")), *Priority.choices],
        widget=UnfoldAdminSelectWidget,
    )
    preferred_window_start = forms.SplitDateTimeField(
        label=_("Preferred from"), required=False, widget=UnfoldAdminSplitDateTimeWidget
    )
    preferred_window_end = forms.SplitDateTimeField(
        label=_("Preferred until"), required=False, widget=UnfoldAdminSplitDateTimeWidget
    )
    notes = _text(False, _("Notes"))

    def __init__(
        self, *args: Any, branches: QuerySet[Branch], services: QuerySet[Service], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["service"].queryset = services


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
