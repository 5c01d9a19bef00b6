"""The second factor at login: who needs a TOTP code, and whether the one given is right."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user

from common.conf import current_company

TOKEN_INVALID = _("The two-factor code is missing or wrong.")
ENROLMENT_REQUIRED = _(
    "Platform admins need two-factor authentication: ask an operator to enrol a device for you."
)


def second_factor_error(user: AbstractBaseUser, token: str):
    """Why `user` may not log in with `token` as second factor, or None when they may.

    A user with a confirmed device needs a valid code from it; on the platform host a user without one is
    refused when OTP_REQUIRED_FOR_PLATFORM_ADMINS is on.
    """
    devices = list(devices_for_user(user, confirmed=True))
    if devices:
        token = token.strip().replace(" ", "")
        verified = bool(token) and any(device.verify_token(token) for device in devices)
        return None if verified else TOKEN_INVALID
    if current_company() is None and settings.OTP_REQUIRED_FOR_PLATFORM_ADMINS:
        return ENROLMENT_REQUIRED
    return None
