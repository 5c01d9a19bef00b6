from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.handlers import scrub_for_anonymised_customer
        from calls.services import calls_expire_content, function_invocations_expire
        from common.events import subscribe
        from org.retention import retention_rule_register

        subscribe("customer.anonymised", scrub_for_anonymised_customer)
        retention_rule_register("call transcripts", "transcript_retention_days", calls_expire_content)
        retention_rule_register(
            "function arguments", "transcript_retention_days", function_invocations_expire
        )
