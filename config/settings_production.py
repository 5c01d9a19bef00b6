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
