from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Outbound webhooks")

    def ready(self) -> None:
        from common.events import subscribe
        from webhooks.handlers import on_domain_event

        subscribe("callback.*", on_domain_event)
        subscribe("appointment.*", on_domain_event)
