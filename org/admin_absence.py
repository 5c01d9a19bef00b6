"""Absences in the admin: managers enter them for their branches' people, admins for anyone, and every
staff member for themselves (`org.access.may_act_for_staff`; the list shows `org.access.staff_q`'s people).

Saving goes through `org.services.absence_save`, so an absence that covers today returns the person's open
callbacks to the pool at once. Imported at the end of `org.admin`.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from common.history_admin import RecordHistoryAdmin
from org import access
from org.admin_scoping import branch_filter
from org.models import Absence, Staff
from org.services import absence_save

NOT_YOURS = _("You may not enter absences for %(staff)s.")


def people_for(user: access.User):
    """Whose absences `user` may see and enter (the staff rule of `org.access`)."""
    return access.scoped(Staff.objects.all(), access.staff_q(user))


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["staff", "kind", "starts_on", "ends_on", "note"]

    def __init__(self, *args, user: access.User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["staff"].queryset = people_for(user)
        own = access.staff_of(user)
        if not self.instance.pk and own is not None:
            self.fields["staff"].initial = own.pk

    def clean_staff(self) -> Staff:
        staff = self.cleaned_data["staff"]
        if not access.may_act_for_staff(self.user, staff):
            raise ValidationError(NOT_YOURS, code="forbidden", params={"staff": staff.name})
        return staff


@admin.register(Absence)
class AbsenceAdmin(RecordHistoryAdmin, ModelAdmin):
    form = AbsenceForm
    list_display = ["staff", "kind", "starts_on", "ends_on", "released_at"]
    list_filter = ["kind", branch_filter("staff__branches")]
    search_fields = ["staff__name", "note"]
    date_hierarchy = "starts_on"
    readonly_fields = ["released_at"]
    list_select_related = ["staff"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(staff__in=people_for(request.user))

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class BoundAbsenceForm(form):
            def __init__(self, *args, **kw) -> None:
                super().__init__(*args, user=request.user, **kw)

        return BoundAbsenceForm

    # Everyone with a role may enter absences (their own at least); which rows is `org.access`'s rule.
    def _has_role(self, request: HttpRequest) -> bool:
        return access.role_of(request.user) is not None

    def _may_act(self, request: HttpRequest, obj: Absence | None) -> bool:
        return self._has_role(request) and (obj is None or access.may_act_for_staff(request.user, obj.staff))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._has_role(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_act(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._has_role(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_act(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_act(request, obj)

    def save_model(self, request: HttpRequest, obj: Absence, form, change: bool) -> None:
        absence_save(absence=obj, by=request.user)
