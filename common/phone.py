"""Phone numbers: normalised to E.164 with `phonenumbers`, or a clear validation error."""

from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from common.conf import company_setting

INVALID_PHONE = _("“%(value)s” is not a valid phone number.")


def normalise_phone(raw: str, region: str | None = None) -> str:
    region = region or settings.PHONENUMBER_DEFAULT_REGION
    try:
        number = phonenumbers.parse(str(raw or "").strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE, code="invalid_phone", params={"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str, region: str | None = None) -> str | None:
    """E.164 form of `raw`, or None when it is no phone number (for search boxes)."""
    try:
        return normalise_phone(raw, region)
    except ValidationError:
        return None


def company_region() -> str:
    """The region whose numbers a company's staff dial without a country code: the company's
    `PHONE_REGION` setting, else the platform's `PHONE_DEFAULT_REGION`."""
    return str(company_setting("PHONE_REGION", settings.PHONENUMBER_DEFAULT_REGION)).upper()


def phone_display(number: object, region: str | None = None) -> str:
    """How a number is shown to staff: national format for a number of the company's region
    ("030 123456"), international for any other ("+43 1 2345678"); text that is no number stays as it is."""
    raw = str(number or "").strip()
    if not raw:
        return ""
    return _phone_forms(raw, region or company_region())[0]


@lru_cache(maxsize=4096)
def _phone_forms(raw: str, region: str) -> tuple[str, str | None]:
    """(shown, dialled) of `raw` read in `region`; dialled is None when it is no valid number. A pure function
    of its two arguments, so a process remembers it: a list page shows 50 numbers and parsing each twice was a
    tenth of the page (issue 16)."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return raw, None
    if not phonenumbers.is_possible_number(parsed):
        return raw, None
    own = phonenumbers.region_code_for_number(parsed) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if own else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style), try_normalise_phone(raw, region)


def phone_link(number: object, css_class: str = "text-primary-600", region: str | None = None) -> str:
    """A `tel:` link (E.164: a phone dials it from anywhere) showing `phone_display`; "" without a number."""
    raw = str(number or "").strip()
    if not raw:
        return ""
    display, dial = _phone_forms(raw, region or company_region())
    if dial is None:
        return escape(display)
    return format_html(
        '<a href="tel:{}" class="{} whitespace-nowrap" data-phone>{}</a>', dial, css_class, display
    )
