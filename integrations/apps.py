from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from common.events import subscribe
        from common.metrics import register_company_gauge
        from integrations.handlers import scrub_for_anonymised_customer
        from integrations.metrics import UNPROCESSED_EVENTS
        from integrations.privacy import webhook_bodies_expire
        from org.retention import retention_rule_register

        register_company_gauge(UNPROCESSED_EVENTS)
        subscribe("customer.anonymised", scrub_for_anonymised_customer)
        retention_rule_register("raw webhook bodies", "webhook_body_retention_days", webhook_bodies_expire)
