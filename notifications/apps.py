from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from common.events import subscribe
        from common.metrics import register_company_gauge
        from notifications.handlers import on_appointment_event, on_callback_event, on_customer_anonymised
        from notifications.metrics import FAILED_DELIVERIES
        from notifications.selectors import deliveries_export, opt_outs_export
        from notifications.services.operations import deliveries_expire_bodies
        from org.privacy import export_section_register
        from org.retention import retention_rule_register

        register_company_gauge(FAILED_DELIVERIES)
        subscribe("appointment.*", on_appointment_event)
        subscribe("callback.*", on_callback_event)
        subscribe("customer.anonymised", on_customer_anonymised)
        export_section_register("notifications", deliveries_export)
        export_section_register("opt_outs", opt_outs_export)
        retention_rule_register(
            "notification texts", "notification_body_retention_days", deliveries_expire_bodies
        )
