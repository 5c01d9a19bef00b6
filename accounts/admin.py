"""Locked logins in the admin: a company's admins see and unlock their company's; platform superusers the
platform's. Each schema has its own attempts, so nobody sees another company's."""

from axes.models import AccessAttempt
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin

from accounts.services import login_unlock
from callbacks import visibility
from common.conf import current_company
from tenants.admin import platform_site


class AccessAttemptAdmin(ModelAdmin):
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    actions = ["unlock"]

    def _allowed(self, request: HttpRequest) -> bool:
        if current_company() is None:
            return request.user.is_active and request.user.is_superuser
        return visibility.is_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Unlock the selected logins"), permissions=["delete"])
    def unlock(self, request: HttpRequest, queryset) -> None:
        usernames = set(queryset.values_list("username", flat=True))
        for username in usernames:
            login_unlock(username=username)
        self.message_user(
            request,
            ngettext("%(count)d login unlocked.", "%(count)d logins unlocked.", len(usernames))
            % {"count": len(usernames)},
        )


admin.site.register(AccessAttempt, AccessAttemptAdmin)
platform_site.register(AccessAttempt, AccessAttemptAdmin)
