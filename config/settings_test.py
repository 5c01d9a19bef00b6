"""Test settings: the real PostgreSQL and Redis (from DATABASE_URL / REDIS_URL), fast hashing."""

import os
import tempfile

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver", ".testserver"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
FIELD_ENCRYPTION_KEYS = ["Yx8Jx4m0dS4m2pZqjH2qJ9k8vQw3nR5tU7yB1cE6fGg="]
RETELL_API_KEY = "key_test_platform_retell"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A fresh multiprocess directory per test session, inherited by the Celery worker the `worker` tests start:
# /metrics then adds up what every process counted (set before prometheus_client is first imported).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="sb-prometheus-"))
