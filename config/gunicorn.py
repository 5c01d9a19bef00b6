"""Gunicorn settings for production: `gunicorn -c config/gunicorn.py config.wsgi`.

PROMETHEUS_MULTIPROC_DIR must point at an empty directory when gunicorn starts (clear it in the service's
start command); each worker writes its counters there and /metrics adds them up.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# The Django app logs its own requests (JSON in production); gunicorn's access log would repeat them.
accesslog = None


def child_exit(server, worker) -> None:
    """A worker's live gauges go with it; its counters stay in the sum (prometheus-client multiprocess)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
