from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from appointments.handlers import scrub_for_anonymised_customer
        from appointments.services.privacy import appointments_export
        from common.events import subscribe
        from org.privacy import export_section_register

        subscribe("customer.anonymised", scrub_for_anonymised_customer)
        export_section_register("appointments", appointments_export)
