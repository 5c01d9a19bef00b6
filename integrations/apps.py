from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from common.metrics import register_company_gauge
        from integrations.metrics import UNPROCESSED_EVENTS

        register_company_gauge(UNPROCESSED_EVENTS)
