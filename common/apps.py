from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared kernel (events, tasks, settings access, encryption); no models of its own."""

    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from simple_history.signals import pre_create_historical_record

        import common.health  # noqa: F401  (connects the Celery workers' heartbeat to worker_ready)
        from common.audit import set_history_actor
        from common.events import subscribe
        from common.metrics import count_domain_event
        from common.middleware import profile_language_at_login

        subscribe("*", count_domain_event)
        pre_create_historical_record.connect(set_history_actor, dispatch_uid="common.audit.history_actor")
        user_logged_in.connect(profile_language_at_login, dispatch_uid="common.middleware.profile_language")
