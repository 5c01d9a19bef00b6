from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared kernel (events, tasks, settings access, encryption); no models of its own."""

    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common.events import subscribe
        from common.metrics import count_domain_event

        subscribe("*", count_domain_event)
