from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from common.events import subscribe
        from common.metrics import register_company_gauge
        from integrations.handlers import branch_directory_forget_on_commit, scrub_for_anonymised_customer
        from integrations.metrics import UNPROCESSED_EVENTS
        from integrations.privacy import webhook_bodies_expire
        from org.retention import retention_rule_register

        register_company_gauge(UNPROCESSED_EVENTS)
        subscribe("customer.anonymised", scrub_for_anonymised_customer)
        self._forget_branch_directory_on_change(branch_directory_forget_on_commit)
        retention_rule_register("raw webhook bodies", "webhook_body_retention_days", webhook_bodies_expire)

    @staticmethod
    def _forget_branch_directory_on_change(receiver) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from org.models import Branch, Closure, OpeningHours, Service

        for model in (Branch, OpeningHours, Closure, Service):
            uid = f"branch-directory-{model.__name__}"
            post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
        m2m_changed.connect(receiver, sender=Service.branches.through, dispatch_uid="branch-directory-m2m")
