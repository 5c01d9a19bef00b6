""" "2 neue Rückrufe" on the callback list: instead of reloading under the user's hands, the list asks
`new/` how many callbacks the user may see arrived since the page was drawn, and offers to show them
(static/callbacks/new_callbacks.js)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.translation import ngettext

from callbacks import visibility


class NewCallbacksMixin:
    """For the callback admin: the `new/` endpoint the list polls."""

    def get_urls(self):
        new = path(
            "new/", self.admin_site.admin_view(self.new_callbacks_view), name="callbacks_callbackrequest_new"
        )
        return [new, *super().get_urls()]

    def new_callbacks_view(self, request: HttpRequest) -> JsonResponse:
        """`?after=<id>`: the visible callbacks created since (ids only grow); without it, where to start."""
        if visibility.role_of(request.user) is None:
            raise PermissionDenied
        visible = visibility.visible_callbacks(request.user)
        after = request.GET.get("after", "")
        if not after.isdigit():
            return JsonResponse({"latest": visible.aggregate(latest=Max("pk"))["latest"] or 0, "new": 0})
        count = visible.filter(pk__gt=int(after)).count()
        text = ngettext("%(count)s new callback", "%(count)s new callbacks", count) % {"count": count}
        return JsonResponse({"latest": int(after), "new": count, "text": text if count else ""})
