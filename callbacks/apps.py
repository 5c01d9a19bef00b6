from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from callbacks import dashboard, handlers  # noqa: F401
        from callbacks.metrics import OPEN_CALLBACKS, OVERDUE_CALLBACKS
        from callbacks.services.privacy import callbacks_export
        from common.events import subscribe
        from common.metrics import register_company_gauge
        from org.privacy import export_section_register

        register_company_gauge(OVERDUE_CALLBACKS)
        register_company_gauge(OPEN_CALLBACKS)
        subscribe("callback.created", handlers.assign_after_commit)
        subscribe("callback.escalated", handlers.assign_after_commit)
        subscribe("appointment.created", handlers.complete_for_booked_appointment)
        subscribe("appointment.booking_failed", handlers.take_on_failed_booking)
        subscribe("customer.anonymised", handlers.scrub_for_anonymised_customer)
        subscribe("staff.stopped_taking_callbacks", handlers.release_after_commit)
        subscribe("staff.absence_saved", handlers.release_after_commit)
        export_section_register("callbacks", callbacks_export)
        dashboard.connect()
