from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from appointments.handlers import scrub_for_anonymised_customer
        from common.events import subscribe

        subscribe("customer.anonymised", scrub_for_anonymised_customer)
