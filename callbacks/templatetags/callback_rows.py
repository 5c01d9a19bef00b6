"""The callback list's row menu: only the actions `services.allowed_actions` found for that row."""

from django import template

from callbacks.models import CallbackRequest

register = template.Library()


@register.filter
def allowed_for(actions: list[dict], callback: CallbackRequest) -> list[dict]:
    """unfold's row actions (`raw_path` "admin:callbacks_callbackrequest_row_<key>") the row allows."""
    permitted = getattr(callback, "allowed", ())
    return [action for action in actions if action["raw_path"].rsplit("_row_", 1)[-1] in permitted]
