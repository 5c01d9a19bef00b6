from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.handlers import scrub_for_anonymised_customer
        from calls.selectors import calls_export
        from calls.services import calls_expire_content, function_invocations_expire
        from common.events import subscribe
        from org.privacy import export_section_register
        from org.retention import retention_rule_register

        subscribe("customer.anonymised", scrub_for_anonymised_customer)
        export_section_register("calls", calls_export)
        retention_rule_register("call transcripts", "transcript_retention_days", calls_expire_content)
        retention_rule_register(
            "function arguments", "transcript_retention_days", function_invocations_expire
        )
