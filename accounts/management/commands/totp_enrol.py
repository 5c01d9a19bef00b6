"""`manage.py tenant_command totp_enrol --schema=<schema> <username>` (schema `public`: a platform admin).

A new TOTP device for the user; prints the otpauth:// address to type or paste into an authenticator app."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import totp_enrol


class Command(BaseCommand):
    help = "Enrol a TOTP authenticator for a user of the current schema (replaces an earlier one)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r} in this schema.")
        device = totp_enrol(user=user)
        self.stdout.write(device.config_url)
