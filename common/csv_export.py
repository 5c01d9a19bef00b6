"""CSV export of an admin list as the user sees it: the changelist's own queryset (so its filters, search and
`org.access` scoping apply), German headers, `;` separated, UTF-8 with a byte-order mark so Excel opens it
with umlauts intact; streamed row by row, so a long list never sits in memory.

An admin gets it by mixing in `CsvExportMixin` and naming `csv_columns` (header, value function): a link above
the list ("Als CSV exportieren", carrying the current filters) and an action for the selected rows."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BOM = "\ufeff"
DELIMITER = ";"
CHUNK = 2000
PHONE = re.compile(r"^\+?[\d ()/-]+$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Column = tuple[Any, Callable[[Any], Any]]


class _Echo:
    """A file-like object whose write returns the line (csv.writer into a streaming response)."""

    def write(self, value: str) -> str:
        return value


def cell(value: Any) -> str:
    """One value as text an office person reads in Excel: local dates, comma decimals, yes/no, no formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | float):
        return f"{value}".replace(".", ",")
    text = str(value)
    if text.startswith(FORMULA_START) and not PHONE.match(text):
        return "'" + text  # a cell starting like a formula is shown, never run (CSV injection)
    return text


def rows(columns: list[Column], objects: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=DELIMITER)
    yield BOM + writer.writerow([str(header) for header, _value in columns])
    for obj in objects:
        yield writer.writerow([cell(value(obj)) for _header, value in columns])


def csv_response(filename: str, columns: list[Column], queryset: QuerySet) -> StreamingHttpResponse:
    objects = queryset.iterator(chunk_size=CHUNK)
    response = StreamingHttpResponse(rows(columns, objects), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def field(name: str) -> Callable[[Model], Any]:
    """The value of a model field, or its label when it has choices (`get_<name>_display`)."""

    def value(obj: Model) -> Any:
        display = getattr(obj, f"get_{name}_display", None)
        return display() if display else getattr(obj, name)

    return value


def related(path_: str) -> Callable[[Model], Any]:
    """A value along a dotted path (`branch.name`); empty when a link on the way is missing."""

    def value(obj: Model) -> Any:
        for part in path_.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    return value


class CsvExportMixin:
    """For a ModelAdmin: `export.csv` (the changelist's filtered, scoped queryset) and an export action."""

    csv_columns: list[Column] = []
    csv_filename = "export.csv"
    list_before_template = "admin/includes_sb/csv_export_link.html"

    def get_urls(self):
        opts = self.model._meta
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv_view),
            name=f"{opts.app_label}_{opts.model_name}_export_csv",
        )
        return [export, *super().get_urls()]

    def get_csv_columns(self, request: HttpRequest) -> list[Column]:
        """The columns this user may export (override to leave out what their role may not see)."""
        return self.csv_columns

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if actions is not None and self.has_view_permission(request):
            actions["export_csv"] = self.get_action("export_csv")
        return actions

    def export_csv_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The list as the user filtered it (the changelist's filters, search and scoping), every page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            raise BadRequest(str(error)) from error
        return self.export_csv(request, changelist.get_queryset(request))

    @admin.action(description=_("Export selected as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        return csv_response(self.csv_filename, self.get_csv_columns(request), queryset)
