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

        register_company_gauge(UNPROCESSED_EVENTS)
        subscribe("customer.anonymised", scrub_for_anonymised_customer)
