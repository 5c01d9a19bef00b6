"""The callback list's rows, lean: one short line of markup per cell, the look from worklist.css.

unfold's own rows repeat about 600 bytes of utility classes on every cell, an Alpine dropdown per row and the
table's headers per row (12 kB a row, 1.3 MB for 100 rows). Here the columns' values come from the same
`list_display` methods; only the wrapping is ours. The row menu offers only what `services.allowed_actions`
found for that row (`callback.allowed`, set by the admin's `get_changelist_instance`).
"""

from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import result_hidden_fields
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from unfold.templatetags.unfold_list import result_headers

from callbacks import conf
from callbacks.models import CallbackRequest

register = template.Library()


@register.filter
def allowed_for(actions: list[dict], callback: CallbackRequest) -> list[dict]:
    """unfold's row actions (`raw_path` "admin:callbacks_callbackrequest_row_<key>") the row allows."""
    permitted = getattr(callback, "allowed", ())
    return [action for action in actions if action["raw_path"].rsplit("_row_", 1)[-1] in permitted]


def _cell(model_admin, name: str, callback: CallbackRequest) -> SafeString:
    column = getattr(model_admin, name)
    value = column(callback)
    tones = getattr(column, "label", None)
    if isinstance(tones, dict):  # unfold's label columns return (value, text)
        key, text = value
        return format_html('<b class="sb-label" data-tone="{}">{}</b>', tones.get(key, "default"), text)
    if value is None or value == "":
        return getattr(column, "empty_value_display", None) or model_admin.get_empty_value_display()
    return format_html("{}", value)


def _menu(actions: list[dict], callback: CallbackRequest) -> SafeString:
    """The row's actions as links relative to the list ("./7/assign/"): the list's own URL is their base."""
    links = format_html_join(
        "",
        '<a href="./{}/{}">{}</a>',
        ((callback.pk, action["tail"], action["title"]) for action in actions),
    )
    if not links:
        return mark_safe('<td class="field-actions_holder"></td>')
    return format_html(
        '<td class="field-actions_holder"><details class="sb-menu"><summary title="{}">⋯</summary>'
        "<nav>{}</nav></details></td>",
        gettext("More actions"),
        links,
    )


def _row(cl, callback: CallbackRequest, actions_row: list[dict] | None) -> SafeString:
    cells = []
    for name in cl.list_display:
        if name == "action_checkbox":
            cells.append(
                format_html(
                    '<td class="action-checkbox"><input type="checkbox" name="_selected_action" value="{}"'
                    ' class="action-select"></td>',
                    callback.pk,
                )
            )
        elif name in cl.list_display_links:
            # relative to the list, with its filters to return to (what add_preserved_filters appends)
            url = f"./{callback.pk}/change/" + (f"?{cl.preserved_filters}" if cl.preserved_filters else "")
            value = _cell(cl.model_admin, name, callback)
            cells.append(format_html('<th class="field-{}"><a href="{}">{}</a></th>', name, url, value))
        else:
            cells.append(
                format_html('<td class="field-{}">{}</td>', name, _cell(cl.model_admin, name, callback))
            )
    if actions_row:
        cells.append(_menu(allowed_for(actions_row, callback), callback))
    return format_html('<tr class="data-row">{}</tr>', mark_safe("".join(cells)))


@register.inclusion_tag("admin/callbacks/callbackrequest/change_list_results.html", takes_context=True)
def callback_result_list(context: dict[str, Any], cl) -> dict[str, Any]:
    actions_row = [
        # "assign/" of "/admin/callbacks/callbackrequest/0/assign/": the URL after the callback's id
        {**action, "tail": reverse(action["raw_path"], args=[0]).rsplit("/0/", 1)[1]}
        for action in context.get("actions_row") or ()
    ]
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": list(result_headers(cl)),
        "rows": [_row(cl, callback, actions_row) for callback in cl.result_list],
        "actions_row": actions_row,
        "warning_seconds": int(conf.sla_warning_lead().total_seconds()),
    }
