"""Production: secrets only from the environment, HTTPS only (behind a TLS-terminating proxy)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import IDENTITY_PROVIDERS, LOCAL_VNEID, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in the environment (50+ random characters).")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The platform's VNeID stand-in (shared_apps/accounts/identity/local.py) logs people in by what is
# typed on its own page: never in production, whatever the environment says.
if LOCAL_VNEID or any(".identity.local." in str(p.get("class", "")) for p in IDENTITY_PROVIDERS):
    raise ImproperlyConfigured(
        "The local VNeID stand-in (LOCAL_VNEID or an IDENTITY_PROVIDERS entry of identity.local) is for "
        "development and tests only: configure the real VNeID provider in production."
    )
