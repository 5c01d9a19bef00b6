from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared kernel (events, tasks, settings access, encryption); no models of its own."""

    name = "common"
    verbose_name = "Common"
