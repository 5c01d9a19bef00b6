from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from callbacks import dashboard, handlers  # noqa: F401
        from common.events import subscribe

        subscribe("callback.created", handlers.assign_after_commit)
        subscribe("callback.escalated", handlers.assign_after_commit)
        subscribe("appointment.created", handlers.complete_for_booked_appointment)
        dashboard.connect()
