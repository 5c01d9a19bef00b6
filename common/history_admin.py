"""Each audited record's history in the admin: old and new values, who and when (django-simple-history)."""

from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest
from simple_history.admin import SimpleHistoryAdmin


class RecordHistoryAdmin(SimpleHistoryAdmin):
    """Read-only history of the records the viewer may see.

    simple-history falls back to the history when a record is not in the admin's queryset (so deleted
    records keep a page); that would show records outside the viewer's scope, so here it is refused.
    Reverting is off: a change goes through the app's services, not back through the history.
    """

    history_list_display = ["history_actor"]

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._refuse_unseen(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context=None):
        """One past version: as the history, only of a record the viewer may see."""
        self._refuse_unseen(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _refuse_unseen(self, request: HttpRequest, object_id: str) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True


class PublicRecordHistoryAdmin(RecordHistoryAdmin):
    """For records in the public schema (the company): its history names the user in `history_actor`
    only, since a company's users live in its own schema (see `common.audit.no_history_user`)."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        obj._history_user = None
        # Skips SimpleHistoryAdmin.save_model, which would set the request's user again.
        super(SimpleHistoryAdmin, self).save_model(request, obj, form, change)
