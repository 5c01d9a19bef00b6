"""Settings for every environment, read from the process environment (django-environ).

`.env.example` documents each variable with a safe development default; `make run` copies it to `.env`.
Production (`config.settings_production`) refuses to start with unsafe defaults.
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
DEV_FIELD_ENCRYPTION_KEY = "bWvFJ7yKQm0wN3nq0bUOFn9Qp7hZ8X2kY5cV6rT1sLE="

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[f".{BASE_DOMAIN}", BASE_DOMAIN, "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Comma-separated Fernet keys; the first encrypts, all decrypt.
# Rotation: prepend a new key, run `manage.py rotate_secrets`, then drop the old key.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[DEV_FIELD_ENCRYPTION_KEY])
RETELL_API_KEY = env.str("RETELL_API_KEY", default="")
# Bearer token for /metrics on the platform host (empty: the endpoint is off).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Without a token /metrics is open in development; production requires one (settings_production).
METRICS_TOKEN_REQUIRED = env.bool("METRICS_TOKEN_REQUIRED", default=False)
# Company as a label on counters and histograms (one series per company: mind the cardinality).
METRICS_COMPANY_LABEL = env.bool("METRICS_COMPANY_LABEL", default=False)

SHARED_APPS = [
    "django_tenants",
    "common",
    "tenants",
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.simple_history",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "phonenumber_field",
    # Login lockouts and second factors live beside the users they protect: in every schema (public for
    # the platform admin, each company's own), so a lock on one company's host never reaches another's.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "org",
    "callbacks",
    "appointments",
    "policies",
    "calls",
    "notifications",
    "integrations",
    "webhooks",
    "api",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]
TENANT_MODEL = "tenants.Company"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = True
TENANT_COLOR_ADMIN_APPS = False
# `migrate_schemas` migrates the template new companies are cloned from (tenants.template) before them;
# `--executor=multiprocessing` migrates this many companies at once (docs/scaling.md).
GET_EXECUTOR_FUNCTION = "tenants.migrate_executor.executor_with_template"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("MIGRATE_PROCESSES", default=os.cpu_count() or 2)

MIDDLEWARE = [
    "common.logs.RequestIdMiddleware",  # first: every later log line carries the request id
    "common.metrics.WebhookMetricsMiddleware",
    "common.unavailable.DatabaseUnavailableMiddleware",  # outside CompanyMiddleware: its lookup fails first
    "tenants.middleware.CompanyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]
WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/switchboard")}
# django-tenants' backend with the company's schema set inside every transaction (common/db/backend).
DATABASES["default"]["ENGINE"] = "common.db.backend"
# A Unix-socket directory arrives percent-encoded in the URL's host (the embedded server's form).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
# A kept connection is checked before a request uses it: after a database restart the next request opens a
# new one instead of failing on the dead one. While the database is gone, requests answer 503 with this
# Retry-After (common.unavailable); a connection attempt gives up after DB_CONNECT_TIMEOUT_SECONDS.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
    "DB_CONNECT_TIMEOUT_SECONDS", default=5
)
# "transaction" behind PgBouncer in transaction pooling (docs/scaling.md): nothing may outlive a transaction
# on the server connection, so no server-side cursors and no prepared statements.
DATABASE_POOL_MODE = env.str("DATABASE_POOL_MODE", default="session")
if DATABASE_POOL_MODE == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = env.int("DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS", default=5)
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Every Redis client (the cache, the Celery broker, common.redis.get_redis) gives up on a call after these
# seconds. A hung Redis (paused process, network partition) then fails fast instead of holding a request:
# Retell gives up on a webhook after 10 s, and the event is stored before Redis is asked anything.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT_SECONDS", default=0.5)
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT_SECONDS", default=0.5)
# After a Redis failure a process skips queueing and cache bumps this long (common.redis): a hung Redis
# costs a request one timeout, not one per call. What was not queued is found by its job's sweep.
REDIS_FAIL_FAST_SECONDS = env.float("REDIS_FAIL_FAST_SECONDS", default=5)
REDIS_CLIENT_TIMEOUTS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key starts with the current schema: nothing cached for one company reaches another.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": "sb",
        "TIMEOUT": 300,
        "OPTIONS": REDIS_CLIENT_TIMEOUTS,
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers cache tenant rows this long: company settings reach them within it (secrets are read fresh).
CELERY_TASK_TENANT_CACHE_SECONDS = env.int("CELERY_TASK_TENANT_CACHE_SECONDS", default=30)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Redis broker: a message a worker took and never acknowledged (the worker died: late acks) goes back to
# its queue once it is this old; a worker checks at start and then every 100 s. Shorter recovers a killed
# worker's job sooner, but it must stay above the longest countdown/ETA (the Cal.com cancel push backs off
# ~32 min; a notification retry waits up to its last delay) and the longest task, or a job a live worker
# still holds is handed out a second time. The key prefix keeps deployments sharing one Redis apart.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600),
    "global_keyprefix": env.str("CELERY_BROKER_KEY_PREFIX", default=""),
    **REDIS_CLIENT_TIMEOUTS,
}
# Publishing never holds a request for long: one attempt within the Redis timeouts (0.5 s against a hung
# Redis; a retry cost a second more, measured by the Redis-hung drill) and no retry by default (a pooled
# connection Redis closed is replaced when it is taken from the pool). A message that cannot be sent is
# logged and left to the job's sweep (common.tasks.enqueue_on_commit); the change that caused it is
# committed already.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env.int("CELERY_PUBLISH_MAX_RETRIES", default=0),
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}

# Checked wherever a person chooses a password (admin forms, set_password flows), not by create_user.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Lockout (django-axes): 5 wrong passwords for one username from one address lock that pair for 15 minutes.
# The pair, not the username alone, so nobody can lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_ENABLE_ADMIN = False  # accounts.admin registers the attempts in the unfold admin instead
AXES_VERBOSE = False
# Hops of our own reverse proxies in front of the app: the client address is the one the outermost
# proxy appended to X-Forwarded-For (0: REMOTE_ADDR, no proxy).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# A platform admin without a confirmed TOTP device cannot log in (on in production).
OTP_REQUIRED_FOR_PLATFORM_ADMINS = env.bool("OTP_REQUIRED_FOR_PLATFORM_ADMINS", default=False)
OTP_TOTP_ISSUER = "Switchboard"
# Outgoing requests (Cal.com, Twilio, Slack) may go to private, loopback and link-local addresses: the local
# stand-ins of development and tests. Off in production (common.outbound, docs/security.md).
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env.bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", default=True)

# Content-Security-Policy (django-csp 4). Scripts only from our origin or with the per-response nonce;
# 'unsafe-eval' because unfold's Alpine.js evaluates its x-* attribute expressions with Function().
# Styles allow inline: unfold and our templates use style attributes, which nonces cannot cover.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, "'unsafe-eval'"],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# The REST API (/api/v1/ on a company's host, the `api` app): API keys only, one error shape, throttled per
# key and per address, reads and writes counted apart.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyThrottle", "api.throttling.AddressThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "read": env.str("API_THROTTLE_READ", default="120/min"),
        "write": env.str("API_THROTTLE_WRITE", default="30/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN for the CSP to allow.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

PHONENUMBER_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="DE")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# Whitenoise serves collected static files in production; in development runserver serves them and the
# collected folder does not exist yet.
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".data" / "media"
MEDIA_URL = "media/"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Switchboard <noreply@switchboard.localhost>")

# Every business threshold, in one place. Each key is overridable by the environment variable
# SWITCHBOARD_<KEY> (a JSON value) and per company by Company.settings; read them with
# common.conf.company_setting (the apps' conf.py modules wrap them in typed accessors).
SWITCHBOARD = {
    # Callbacks: SLA budget per priority (hours; whole days count as open days of the branch).
    "CALLBACK_SLA_HOURS": {"urgent": 2, "high": 4, "normal": 24},
    # A second request for the same phone within this window is merged into the open one.
    "CALLBACK_DUPLICATE_WINDOW_MINUTES": 120,
    # Failed contact attempts (no answer, voicemail, wrong number) before a `max_attempts` escalation.
    "CALLBACK_MAX_FAILED_ATTEMPTS": 3,
    "CALLBACK_ASSIGNMENT_STRATEGY": "load_based",
    # Share of the SLA budget an assignee may spend without a contact attempt before it goes to someone else.
    "CALLBACK_REASSIGN_AFTER_SHARE": 0.5,
    "CALLBACK_SLA_WARNING_MINUTES": 60,
    "CALLBACK_ESCALATION_COOLDOWN_HOURS": 4,
    "CALLBACK_EXPIRY_GRACE_DAYS": 7,
    # Automatic priority: this many cancelled appointments within this many days make a callback high.
    "CALLBACK_PRIORITY_CANCELLATIONS": 2,
    "CALLBACK_PRIORITY_CANCELLATION_DAYS": 90,
    # Policies: judge every change by the policy in force now instead of the one stored at booking.
    "POLICY_ALWAYS_CURRENT": False,
    # Appointments: how far ahead availability is searched, and the alternatives offered.
    "APPOINTMENT_SEARCH_MAX_DAYS": 90,
    "APPOINTMENT_MAX_ALTERNATIVES": 3,
    "APPOINTMENT_SAME_DAY_HOURS": 2,
    "APPOINTMENT_SAME_TIME_MINUTES": 60,
    "APPOINTMENT_NEXT_FREE_DAYS": 14,
    "APPOINTMENT_SLOT_HOLD_MINUTES": 5,
    # Cal.com client tuning (integrations.calcom.client.ClientSettings field names), e.g. {"read_timeout": 4}.
    "CALCOM_CLIENT": {},
    # Notifications: reminders (minutes before the start), retry waits, quiet hours, caps, consent.
    "NOTIFICATION_REMINDER_OFFSETS_MINUTES": [7 * 24 * 60, 24 * 60, 120],
    "NOTIFICATION_RETRY_DELAYS_MINUTES": [1, 5, 15],
    "NOTIFICATION_QUIET_HOURS": {"start": "20:00", "end": "08:00"},
    "NOTIFICATION_DAILY_CAP_PER_CUSTOMER": 6,
    # Channels needing consent even for messages about the customer's own appointment (marketing: all).
    "NOTIFICATION_CONSENT_REQUIRED_CHANNELS": ["whatsapp"],
    "NOTIFICATION_SMS_MAX_SEGMENTS": 3,
    # A delivery stuck in `sending` this long was interrupted; it is failed, not resent (could duplicate).
    "NOTIFICATION_STUCK_SENDING_MINUTES": 15,
    "NOTIFICATION_TWILIO_API_BASE_URL": "https://api.twilio.com",
    "NOTIFICATION_STATUS_CALLBACK_SCHEME": "https",
    # Retell: largest webhook body accepted (long transcripts), and the sweep of unprocessed events.
    "WEBHOOK_MAX_BODY_BYTES": 5 * 1024 * 1024,
    "RETELL_STUCK_EVENT_MINUTES": 10,
    "RETELL_EVENT_MAX_ATTEMPTS": 5,
    # Call costs arrive in US cents; converted into the company's currency with these rates.
    "USD_EXCHANGE_RATE": {"EUR": "0.92", "USD": "1", "CHF": "0.88"},
}

LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "common.logs.LogContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(company)s %(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(request_id)s %(company)s %(user_id)s %(task_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        # Readable lines in development, JSON in production (settings_production); LOG_FORMAT overrides.
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

from config.admin_site import UNFOLD  # noqa: E402,F401  (admin theme settings live beside the admin code)
