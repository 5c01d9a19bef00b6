from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Logging in: lockout after repeated failures (django-axes) and the optional TOTP second factor."""

    name = "accounts"
    verbose_name = _("Logins")
