from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.handlers import scrub_for_anonymised_customer
        from common.events import subscribe

        subscribe("customer.anonymised", scrub_for_anonymised_customer)
