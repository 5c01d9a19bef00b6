"""Admin-edited templates: placeholders from a fixed list, nothing else, and values never re-read."""

import pytest
from django.core.exceptions import ValidationError

from notifications.rendering import (
    SINGLE_BRACE_PLACEHOLDER,
    TEMPLATE_SYNTAX_NOT_ALLOWED,
    UNKNOWN_PLACEHOLDER,
    render,
    template_errors,
    validate_template,
)


def codes(template: str) -> list[str]:
    return [error.code for error in template_errors(template)]


def test_known_placeholders_with_or_without_spaces_are_substituted():
    text = render(
        "Hallo {{customer_name}}, bis {{ appointment_time }}.",
        {"customer_name": "Erika", "appointment_time": "Donnerstag, 12. März 2026, 14:30 Uhr"},
    )
    assert text == "Hallo Erika, bis Donnerstag, 12. März 2026, 14:30 Uhr."


def test_an_unknown_placeholder_is_refused_with_its_name_in_the_message():
    with pytest.raises(ValidationError) as caught:
        validate_template("Hallo {{customer_nmae}}")
    assert caught.value.error_list[0].message == UNKNOWN_PLACEHOLDER
    assert "{{customer_nmae}}" in caught.value.messages[0]
    assert "{{customer_name}}" in caught.value.messages[0]  # the allowed list helps fixing the typo


@pytest.mark.parametrize(
    "template",
    [
        "{% load static %}Hallo",
        "{% if customer_name %}x{% endif %}",
        "{{ customer_name|upper }}",
        "{{ customer.name }}",
        "{{ settings.SECRET_KEY }}",
        "{# comment #}",
        "Hallo {{customer_name}",
        "Hallo customer_name}}",
    ],
)
def test_template_code_beyond_placeholders_is_refused(template):
    assert "template_syntax" in codes(template)
    with pytest.raises(ValidationError) as caught:
        validate_template(template)
    assert caught.value.error_list[0].message == TEMPLATE_SYNTAX_NOT_ALLOWED


def test_a_whole_tag_is_reported_once_with_the_fragment_to_remove():
    errors = template_errors("Hallo {% include 'x.html' %} Tschüss")
    assert len(errors) == 1
    assert "{% include 'x.html' %}" in errors[0].messages[0]


def test_single_brace_placeholders_from_the_old_system_are_pointed_out():
    errors = template_errors("Hallo {customer_name}")
    assert [e.code for e in errors] == ["single_brace"]
    assert errors[0].message == SINGLE_BRACE_PLACEHOLDER
    assert "{{customer_name}}" in errors[0].messages[0]


def test_rendering_refuses_an_invalid_template_instead_of_sending_it():
    with pytest.raises(ValidationError):
        render("{% debug %}", {})


def test_a_value_that_looks_like_a_placeholder_is_inserted_literally():
    text = render(
        "Hallo {{customer_name}}, {{staff_name}}", {"customer_name": "{{staff_name}}", "staff_name": "Anna"}
    )
    assert text == "Hallo {{staff_name}}, Anna"


def test_escaping_applies_to_values_only():
    text = render(
        "<b>{{customer_name}}</b>", {"customer_name": "<script>"}, escape=lambda v: v.replace("<", "&lt;")
    )
    assert text == "<b>&lt;script></b>"


def test_a_placeholder_without_value_renders_empty():
    assert render("Bei {{staff_name}}.", {}) == "Bei ."


def test_plain_text_with_braces_that_are_not_template_code_is_fine():
    assert template_errors("Preis {5 €} – Öffnungszeiten: 9–18 Uhr, 100% sicher") == []
