"""API keys in the admin: created by the company's admins, the plain key shown once, revoked by an action."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from api import services
from api.models import ApiKey
from common.history_admin import RecordHistoryAdmin

KEY_SHOWN_ONCE = _("Copy the key now, it will not be shown again: %(key)s")


@admin.register(ApiKey)
class ApiKeyAdmin(RecordHistoryAdmin, ModelAdmin):
    list_display = ["name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    fields = ["name", "scope"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        return ["name", "scope"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if change:
            return
        issued = services.api_key_create(name=obj.name, scope=obj.scope, by=request.user)
        obj.pk = issued.key.pk
        messages.warning(request, gettext(KEY_SHOWN_ONCE) % {"key": issued.plaintext})

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # revoked keys stay, so the audit trail can still name them

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for key in queryset:
            services.api_key_revoke(key=key)
