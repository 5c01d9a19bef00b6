from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from policies.models import PolicyConfiguration
        from policies.selectors import policy_cache_invalidate_on_commit

        # Policies are soft-deleted through services.py, but deleting a branch, service or staff member
        # removes theirs by cascade, which no service sees: drop the cached table then too.
        post_delete.connect(
            lambda **kwargs: policy_cache_invalidate_on_commit(),
            sender=PolicyConfiguration,
            weak=False,
            dispatch_uid="policies.cascade_delete_invalidates_cache",
        )
