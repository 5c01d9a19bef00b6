from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from common.events import subscribe
        from notifications.handlers import on_appointment_event, on_callback_event, on_customer_anonymised

        subscribe("appointment.*", on_appointment_event)
        subscribe("callback.*", on_callback_event)
        subscribe("customer.anonymised", on_customer_anonymised)
