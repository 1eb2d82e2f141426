"""Settings shared by every environment. Secrets and addresses come from the environment only."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in env("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# --- tenancy -------------------------------------------------------------------------------------
# Apps whose tables live in the public schema (one copy for the whole city).
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "shared_apps.accounts",
    "shared_apps.catalogue",
    "shared_apps.calendar",
    "shared_apps.tracking",
    "shared_apps.notifications",
    "shared_apps.ratings",
    "shared_apps.reports",
    "shared_apps.submissions",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
]
# Apps whose tables live in every agency's schema. contenttypes/auth stay public-only: an agency
# schema then needs no per-schema content types or permissions (the slow part of stock migrate).
TENANT_APPS = [
    "tenant_apps.workspace",
    "tenant_apps.adoption",
    "tenant_apps.dossiers",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.Agency"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# The template schema every new agency is cloned from (kept migrated by migrate_schemas).
TENANT_TEMPLATE_SCHEMA = "agency_template"
# Spare schemas cloned ahead of time, so that onboarding is a rename (tenants/pool.py).
SCHEMA_POOL_SIZE = int(env("SCHEMA_POOL_SIZE", "5"))
# SET search_path only when the tenant changed on this connection, not on every cursor.
TENANT_LIMIT_SET_CALLS = True
GET_EXECUTOR_FUNCTION = "tenants.migration.get_executor"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

# Paths at the root of the one city address that can never be an agency slug.
RESERVED_SLUGS = {
    "admin",
    "api",
    "static",
    "media",
    "i18n",
    "healthz",
    "tai-khoan",
    "dang-nhap",
    "dang-xuat",
    "tra-cuu",
    "thu-tuc",
    "thong-ke",
    "cong-dan",
    "favicon.ico",
    "robots.txt",
    "_bypass",
    "cong-khai",
    "danh-gia",
    "dang-ky",
    "ho-so-cua-toi",
    "nop-truc-tuyen",
}
# How long a process trusts its in-memory agency directory before re-checking the shared version key.
AGENCY_DIRECTORY_CHECK_SECONDS = float(env("AGENCY_DIRECTORY_CHECK_SECONDS", "1.0"))

# National agency code of the city (pattern 000.00.xx.Hnn). Hnn for Hai Phong is to be checked
# against the national list; it is a setting, not code.
CITY_PROVINCE_CODE = env("CITY_PROVINCE_CODE", "31")
CITY_AGENCY_SUFFIX = env("CITY_AGENCY_SUFFIX", "H31")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "config.middleware.ApiJsonErrorsMiddleware",  # errors under /api/ in JSON, whoever made them
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.AgencyPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LanguageCookieMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shared_apps.accounts.middleware.AgencyMembershipMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "config.urls_public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
TENANT_URLCONF = "config.urls_tenant"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tenants.context_processors.agency",
            ],
            "libraries": {"humanize_vn": "config.templatetags.humanize_vn"},
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/egov"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "config.cache.FastRedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema of the agency that wrote it.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # City-wide keys that belong to no agency (the agency directory's version, ...).
    "shared": {
        "BACKEND": "config.cache.FastRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "city",
    },
}

AUTH_USER_MODEL = "accounts.User"
# Axes first (refuses locked-out logins), then ours: username, phone or e-mail + password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shared_apps.accounts.backends.CachedModelBackend",
]
PASSWORD_HASHERS = [
    "shared_apps.accounts.hashers.Argon2PasswordHasher",  # Argon2id, OWASP parameters (see the module)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # older hashes still verify, upgraded at login
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Login throttling (django-axes): N failures for one (username, client address) lock that pair for M
# minutes; the city admin unlocks in the admin ("Access attempts") or `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
# per login whatever the address (shared_apps/accounts/hardening.py): a lock per (login, address) let
# the same password work at once from another address; the owner is told (lockout_notify)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns of locks keyed on what an attacker can rotate (user agent, cookies) without the
# address; ours is keyed on the login, which guesses against one account cannot rotate.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_USERNAME_CALLABLE = "shared_apps.accounts.hardening.axes_username"
AXES_CLIENT_IP_CALLABLE = "shared_apps.accounts.hardening.axes_client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "code"]
AXES_COOLOFF_MESSAGE = _("Bạn đã nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau ít phút.")
# Citizen sign-up: one-time codes and their rate limits (per phone/e-mail and per client address).
ACCOUNTS_OTP_TTL_SECONDS = 600
ACCOUNTS_OTP_MAX_ATTEMPTS = 5
ACCOUNTS_OTP_RESEND_COOLDOWN_SECONDS = int(env("ACCOUNTS_OTP_RESEND_COOLDOWN_SECONDS", "60"))
ACCOUNTS_OTP_SENDS_PER_RECIPIENT_PER_HOUR = int(env("ACCOUNTS_OTP_SENDS_PER_RECIPIENT_PER_HOUR", "5"))
ACCOUNTS_OTP_SENDS_PER_IP_PER_HOUR = int(env("ACCOUNTS_OTP_SENDS_PER_IP_PER_HOUR", "20"))
# Identity providers shown on the login page (shared_apps/accounts/identity/), e.g. the real VNeID:
#   {"name": "vneid", "class": "shared_apps.accounts.identity.oidc.OIDCProvider", "label": "VNeID",
#    "issuer": ..., "authorization_endpoint": ..., "token_endpoint": ..., "userinfo_endpoint": ...,
#    "jwks_uri": ..., "client_id": ..., "client_secret": env(...), "claims": {"id_number": ...}}
# With none listed, the platform's own stand-in for VNeID is used when DEBUG or LOCAL_VNEID is on
# (development, tests) — never in production.
IDENTITY_PROVIDERS = []
LOCAL_VNEID = env_bool("LOCAL_VNEID", False)
# Extra redirect URIs the VNeID stand-in accepts, besides the platform's own callbacks.
LOCAL_VNEID_REDIRECT_URIS = ()
# Sessions in PostgreSQL (public schema), read through the cache: no query per request once warm.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "shared"  # one login for the whole city: session keys carry no agency
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal-home"
LOGOUT_REDIRECT_URL = "portal-home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "shared_apps.accounts.validators.MinimumLengthValidator"},  # Django's, in Vietnamese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are served by WhiteNoise (compressed, cache-busted after collectstatic in production);
# in development and tests straight from the source folders.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hệ thống một cửa điện tử — API",
    "DESCRIPTION": "City platform API. Agency endpoints live under /{agency_slug}/api/v1/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (no CDN; the CSP allows scripts from this origin only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "tenants.models.AgencyKind.choices",
        "ApplicantKindEnum": ["person", "organisation"],
        "RatingValueEnum": "shared_apps.ratings.models.Value",
    },
}

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# acks_late: a task whose worker died unacknowledged is delivered again once this many seconds have
# passed since it was taken (Redis transport). Longer than any task runs (the outbox dispatcher
# stops claiming after 25 s); tests/faults sets it short.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))}
# Default scheduler (not tenant-schemas-celery's per-tenant one): each entry runs once; the tasks
# themselves go through every agency where they must.
from shared_apps.notifications.schedule import BEAT_SCHEDULE  # noqa: E402  (plain data, no Django import)

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# --- notifications -------------------------------------------------------------------------------
SMS_PROVIDER = env("SMS_PROVIDER", "local")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "mot-cua@haiphong.gov.vn")
EMAIL_TIMEOUT = 30  # stays under the outbox's 10-minute "stuck" limit
# An outbox lease older than this is taken back (its worker died); longer than any provider call.
NOTIFICATIONS_STUCK_MINUTES = float(env("NOTIFICATIONS_STUCK_MINUTES", "10"))
# A failed delivery is retried after 30 s × 2^(attempts−1), at most 1 h, and given up after 8 attempts.
NOTIFICATIONS_MAX_ATTEMPTS = 8
NOTIFICATIONS_BACKOFF_SECONDS = 30
NOTIFICATIONS_BACKOFF_MAX_SECONDS = 3600
# The domain of the outbox's Message-IDs; empty: the domain of DEFAULT_FROM_EMAIL.
NOTIFICATIONS_EMAIL_DOMAIN = ""
# At most one "dispatch now" kick of the outbox worker per this many seconds (0: one per transaction).
OUTBOX_KICK_MIN_INTERVAL = 1.0
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# City-wide look-up by code: requests per minute per client address before a 429.
LOOKUP_RATE_PER_MINUTE = int(env("LOOKUP_RATE_PER_MINUTE", "30"))  # per client address
# ... and per dossier code whatever the address, per code for look-ups carrying a proof, and for the
# whole city (shared_apps/tracking/api.py, lookup_throttled; docs/architecture.md, "Look-up").
LOOKUP_CODE_RATE_PER_HOUR = int(env("LOOKUP_CODE_RATE_PER_HOUR", "60"))
LOOKUP_PROOF_TRIES_PER_HOUR = int(env("LOOKUP_PROOF_TRIES_PER_HOUR", "10"))
LOOKUP_GLOBAL_RATE_PER_MINUTE = int(env("LOOKUP_GLOBAL_RATE_PER_MINUTE", "6000"))
RATING_RATE_PER_MINUTE = int(env("RATING_RATE_PER_MINUTE", "10"))
TRUSTED_PROXY_HOPS = int(env("TRUSTED_PROXY_HOPS", "0"))
# The anonymous look-up API answered ahead of the middleware stack (config/wsgi.py); off: the full stack.
LOOKUP_FAST_PATH = True
from .security import *  # noqa: E402,F401,F403

# The city-wide look-up page printed (as a QR code) on every receipt.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# The city's name as printed on receipts and other documents.
CITY_NAME = "Hải Phòng"
# A dossier is "due soon" when at most this many working hours are left before its deadline.
SLA_DUE_SOON_WORKING_HOURS = 8
# Tables derived from others (the statistics roll-ups): an agency backup leaves them out and they are
# rebuilt after a restore (tenants/backup.py).
BACKUP_DERIVED_TABLE_PREFIXES = ("reports_",)
# Benchmarks only (config/settings/bench.py): paths under this prefix skip agency resolution and use
# this URLconf. None in every real environment.
ROUTING_BYPASS_PREFIX = None
ROUTING_BYPASS_URLCONF = None

# Where the dev launcher keeps local state (embedded PostgreSQL, demo logins).
DATA_DIR = Path(env("EGOV_DATA_DIR", str(BASE_DIR / ".data")))
# Uploaded dossier files: never served from a public URL, only through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# All the files of one online dossier together; zip packages (office documents) are refused past
# these limits without being extracted (config/uploads.py).
UPLOAD_MAX_DOSSIER_BYTES = int(env("UPLOAD_MAX_DOSSIER_BYTES", str(50 * 1024 * 1024)))
UPLOAD_ZIP_MAX_ENTRIES = int(env("UPLOAD_ZIP_MAX_ENTRIES", "2000"))
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = int(env("UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024)))
UPLOAD_ZIP_MAX_RATIO = int(env("UPLOAD_ZIP_MAX_RATIO", "100"))
# Citizens' files of online drafts: private storage, served only to their owner through a view.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))

if env("EGOV_CACHE") == "locmem":
    # No Redis on this machine (the dev launcher says so): one process, in-memory cache.
    for _alias in CACHES:
        CACHES[_alias] = {
            **{k: v for k, v in CACHES[_alias].items() if k != "LOCATION"},
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": _alias,
        }
