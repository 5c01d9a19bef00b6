"""Changes to how people log in: lifting a lockout, enrolling a second factor."""

from axes.utils import reset
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_unlock(*, username: str) -> int:
    """Forget the failed attempts of `username` in the current schema: it can log in again at once."""
    return reset(username=username)


@transaction.atomic
def totp_enrol(*, user: AbstractBaseUser, name: str = "Authenticator app") -> TOTPDevice:
    """A new confirmed TOTP device for `user`, replacing any earlier one."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name=name, confirmed=True)
    device.full_clean()
    device.save()
    return device
