"""The callback list's ChangeList: orderings an index can serve in both directions."""

from django.db.models import OrderBy
from django.http import HttpRequest
from unfold.views import ChangeList


def _ascending(part) -> bool:
    if isinstance(part, OrderBy):
        return not part.descending
    return not str(part).startswith("-")


UNSHOWN = ("branch__phone", "assigned_to__phone", "customer__phone")


class CallbackChangeList(ChangeList):
    """Django breaks ties of a clicked column with the id descending ("customer_name, -id"), an order no
    single index gives for ascending and descending clicks alike. Here the id follows the column's direction
    ("customer_name, id" or "-customer_name, -id"), so one index per column (migration
    0011_callback_list_indexes) serves the first page either way, read forwards or backwards."""

    def get_ordering(self, request: HttpRequest, queryset) -> list:
        ordering = super().get_ordering(request, queryset)
        if ordering and ordering[-1] == "-pk" and _ascending(ordering[0]):
            ordering[-1] = "pk"
        return ordering

    def get_results(self, request: HttpRequest) -> None:
        """The page's ids first, then its rows: OFFSET skips ids read from an index, not rows joined to their
        branch, service, assignee and customer (page 500 skips 25,000 of them). One query more, the same for
        any number of rows."""
        super().get_results(request)
        ids = list(self.result_list.values_list("pk", flat=True))
        position = {pk: index for index, pk in enumerate(ids)}
        # The ids are in order, so the database need not sort; the related rows' phone numbers are not shown,
        # and parsing them (phonenumber_field does on load) was most of reading a row.
        rows = self.queryset.filter(pk__in=ids).order_by().defer(*UNSHOWN)
        self.result_list = sorted(rows, key=lambda row: position[row.pk])
