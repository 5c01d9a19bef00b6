"""Production settings: the same as config.settings, but unsafe defaults refuse to start."""

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import DEBUG, DEV_FIELD_ENCRYPTION_KEY, DEV_SECRET_KEY, FIELD_ENCRYPTION_KEYS, SECRET_KEY

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY is the development default or too short; set a real one.")
if DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is the development default; generate a new Fernet key.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Behind a TLS-terminating proxy: signed callbacks (Twilio) are checked against the public https URL.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True

# HTTPS only. TLS ends at the proxy, which says so in X-Forwarded-Proto (above); plain-http requests are
# redirected, except the health check the proxy itself probes over http.
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # every company lives on a subdomain of BASE_DOMAIN
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# One proxy hop in front of the app by default: lockouts count against the real client address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)  # noqa: F405
OTP_REQUIRED_FOR_PLATFORM_ADMINS = env.bool("OTP_REQUIRED_FOR_PLATFORM_ADMINS", default=True)  # noqa: F405
# The server never fetches internal addresses (SSRF); an operator may allow it for an on-premises service.
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env.bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", default=False)  # noqa: F405
# HSTS preload is a commitment for BASE_DOMAIN and every subdomain that browsers keep for months; the
# operator submits the domain deliberately, so Django's deploy check need not nag about it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# /metrics answers only with METRICS_TOKEN as a bearer token (off when no token is set).
METRICS_TOKEN_REQUIRED = True
# One JSON object per log line for the log pipeline (request id, company, user, task id in every line).
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")  # noqa: F405
