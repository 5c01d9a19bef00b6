"""Safe message templates: `{{placeholder}}` substitution from a fixed list, and nothing else.

Company admins edit these texts in the admin, so they must never reach a template engine: Django
template syntax (`{% ... %}`, filters, attribute lookups) would let them read or run code. A template
is validated on save (`validate_template`) and again before each render, and substitution is a single
regex pass, so a value that itself looks like `{{...}}` (a customer called "{{staff_name}}") is inserted
literally and never re-read.
"""

import re
from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The only names a template may use. Each maps to a description shown in the admin next to the editor.
PLACEHOLDERS: dict[str, str] = {
    "customer_name": _("Customer's name"),
    "customer_phone": _("Customer's phone number"),
    "service_name": _("Name of the booked service"),
    "appointment_date": _("Appointment date, in the recipient's language"),
    "appointment_time": _("Appointment date and time, in the branch's timezone"),
    "previous_appointment_time": _("Date and time before a reschedule"),
    "branch_name": _("Branch name"),
    "branch_address": _("Branch address"),
    "branch_phone": _("Branch phone number"),
    "staff_name": _("Name of the staff member"),
    "callback_deadline": _("Time by which the callback is due"),
    "callback_phone": _("Number to call back"),
    "callback_priority": _("Priority of the callback request"),
    "callback_reason": _("Why nobody could take the callback, or why it went to its assignee"),
    "company_name": _("Company name"),
}

UNKNOWN_PLACEHOLDER = _("Unknown placeholder “{{%(name)s}}”. Allowed placeholders: %(allowed)s.")
TEMPLATE_SYNTAX_NOT_ALLOWED = _(
    "Only placeholders such as {{customer_name}} are allowed; remove “%(fragment)s” (template code is not "
    "supported)."
)
SINGLE_BRACE_PLACEHOLDER = _(
    "“%(fragment)s” is not substituted: write placeholders with double braces, {{%(name)s}}."
)

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
# Anything that still looks like template code once placeholders are removed: whole tags and comments
# first, then stray delimiters.
_LEFTOVER_SYNTAX = re.compile(r"\{%.*?%\}|\{#.*?#\}|\{\{|\}\}|\{%|%\}|\{#|#\}", re.DOTALL)
_SINGLE_BRACE = re.compile(r"(?<!\{)\{\s*([a-z_][a-z0-9_]*)\s*\}(?!\})")


def template_errors(template: str) -> list[ValidationError]:
    """Every problem in `template`, each as a ValidationError with a message naming the fragment."""
    errors: list[ValidationError] = []
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if not _NAME.match(name):
            errors.append(_syntax_error(match.group(0)))
        elif name not in PLACEHOLDERS:
            allowed = ", ".join(f"{{{{{key}}}}}" for key in PLACEHOLDERS)
            errors.append(
                ValidationError(
                    UNKNOWN_PLACEHOLDER, code="unknown_placeholder", params={"name": name, "allowed": allowed}
                )
            )
    remainder = _PLACEHOLDER.sub("", template)
    for match in _LEFTOVER_SYNTAX.finditer(remainder):
        errors.append(_syntax_error(_shorten(match.group(0))))
    for match in _SINGLE_BRACE.finditer(remainder):
        errors.append(
            ValidationError(
                SINGLE_BRACE_PLACEHOLDER,
                code="single_brace",
                params={"fragment": match.group(0), "name": match.group(1)},
            )
        )
    return errors


def validate_template(template: str) -> None:
    """Raise ValidationError listing every unknown placeholder and every piece of template syntax."""
    errors = template_errors(template)
    if errors:
        raise ValidationError(errors)


def placeholders_used(template: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) in PLACEHOLDERS}


def render(template: str, values: Mapping[str, str], *, escape: Callable[[str], str] | None = None) -> str:
    """Substitute placeholders. `escape` is applied to the values only (e.g. HTML-escaping for email).

    A placeholder without a value (no staff assigned yet) renders as an empty string.
    """
    validate_template(template)

    def substitute(match: re.Match) -> str:
        value = str(values.get(match.group(1)) or "")
        return escape(value) if escape else value

    return _PLACEHOLDER.sub(substitute, template)


def _syntax_error(fragment: str) -> ValidationError:
    return ValidationError(TEMPLATE_SYNTAX_NOT_ALLOWED, code="template_syntax", params={"fragment": fragment})


def _shorten(fragment: str, width: int = 40) -> str:
    return fragment if len(fragment) <= width else fragment[: width - 1] + "…"
