"""Phone numbers: normalised to E.164 with `phonenumbers`, or a clear validation error."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
