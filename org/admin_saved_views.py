"""Personal saved views on an admin list: the user's named filter sets as links above the list, "Save view"
for the list as it is filtered, searched and sorted now, and deleting one. The rules live in
`org.services.saved_view_save` / `saved_view_query` and `org.selectors.saved_views_for`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.selectors import saved_views_for
from org.services import saved_view_delete, saved_view_query, saved_view_save

DATE_PARTS = ("year", "month", "day")


def list_parameters(changelist: ChangeList) -> set[str]:
    """The querystring parameters a list understands: its filters', its search's, its order's, its dates'."""
    names = {ORDER_VAR}
    if changelist.search_fields:
        names.add(SEARCH_VAR)
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    if changelist.date_hierarchy:
        names.update(f"{changelist.date_hierarchy}__{part}" for part in DATE_PARTS)
    return names


class SavedViewsAdmin:
    """A ModelAdmin mixin: the user's saved views above the list (links, each deletable) and "Save view".

    The list template is `admin/includes_sb/saved_views_change_list.html`; a list with a template of its own
    extends that one instead of `admin/change_list.html`."""

    change_list_template = "admin/includes_sb/saved_views_change_list.html"

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        urls = [
            path(
                "saved-views/",
                self.admin_site.admin_view(require_POST(self.saved_view_save_view)),
                name=f"{prefix}_saved_view_save",
            ),
            path(
                "saved-views/<int:view_id>/delete/",
                self.admin_site.admin_view(require_POST(self.saved_view_delete_view)),
                name=f"{prefix}_saved_view_delete",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["saved_views"] = saved_views_for(request.user, self.model._meta.label_lower)
            context["saved_view_query"] = saved_view_query(
                request.GET.urlencode(), list_parameters(context["cl"])
            )
        return response

    def _list_url(self, query: str = "") -> str:
        opts = self.model._meta
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name
        )
        return f"{url}?{query}" if query else url

    def saved_view_save_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        parameters = list_parameters(self.get_changelist_instance(request))
        query = request.POST.get("query", "")
        try:
            view = saved_view_save(
                user=request.user,
                list_name=self.model._meta.label_lower,
                name=request.POST.get("name", ""),
                query=query,
                parameters=parameters,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self._list_url(saved_view_query(query, parameters)))
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return HttpResponseRedirect(self._list_url(view.query))

    def saved_view_delete_view(self, request: HttpRequest, view_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        view = saved_view_delete(user=request.user, view_id=view_id)
        if view is not None:
            messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
        return HttpResponseRedirect(self._list_url())
