"""The callback list as CSV (`common.csv_export`): the columns an office person needs in Excel."""

from django.utils.translation import pgettext_lazy

from callbacks.models import CallbackRequest
from common.csv_export import CsvExportMixin, field, related


def _customer(callback: CallbackRequest) -> str:
    return callback.customer_name or (callback.customer.name if callback.customer else "")


class CallbackExport(CsvExportMixin):
    csv_filename = "rueckrufe.csv"
    csv_columns = [
        (pgettext_lazy("csv", "No."), field("pk")),
        (pgettext_lazy("csv", "Customer"), _customer),
        (pgettext_lazy("csv", "Phone"), lambda callback: str(callback.phone or "")),
        (pgettext_lazy("csv", "Email"), field("customer_email")),
        (pgettext_lazy("csv", "Status"), field("status")),
        (pgettext_lazy("csv", "Priority"), field("priority")),
        (pgettext_lazy("csv", "Branch"), related("branch.name")),
        (pgettext_lazy("csv", "Service"), related("service.name")),
        (pgettext_lazy("csv", "Assigned to"), related("assigned_to.name")),
        (pgettext_lazy("csv", "Deadline"), field("expires_at")),
        (pgettext_lazy("csv", "Created"), field("created_at")),
        (pgettext_lazy("csv", "Completed"), field("completed_at")),
        (pgettext_lazy("csv", "Notes"), lambda callback: callback.notes_text),
    ]
