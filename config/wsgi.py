import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import both URLconfs (and with them every view, admin, task and model module) when the worker starts.

    Django imports them on the first request: a fresh worker (after a deploy, or gunicorn's max-requests
    recycling) answered its first Retell webhook more than a second late, and Retell gives up at 10 s.
    """
    from django.conf import settings
    from django.urls import get_resolver

    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        get_resolver(urlconf).url_patterns  # noqa: B018 - the attribute access imports the URLconf


_warm_up()
