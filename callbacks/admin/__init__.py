"""The callback admin: the callback list and page (`callback`) and the escalations to review (`escalation`).

Importing this package registers both. The list's filters, columns, row and bulk actions, forms and the
timeline live in their own modules next to them.
"""

from callbacks.admin.callback import CallbackRequestAdmin
from callbacks.admin.escalation import CallbackEscalationAdmin

__all__ = ["CallbackEscalationAdmin", "CallbackRequestAdmin"]
