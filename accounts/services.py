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


@transaction.atomic
def totp_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new unconfirmed device for `user` to scan; it counts only once confirmed with a code from it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def totp_enrolment_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm `device` when `token` is its current code; it then replaces the user's earlier devices."""
    if not device.verify_token(token.strip().replace(" ", "")):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True
