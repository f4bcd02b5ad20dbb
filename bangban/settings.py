"""Bangban settings: one module, read from environment variables.

Embedded mode (the default) needs nothing: SQLite, files and in-process jobs
under ``BANGBAN_DATA_DIR``. Production mode (``BANGBAN_MODE=production``)
refuses to start without its own secrets, because a default key would let
anyone forge sessions or read the encrypted personal data.
"""

import json
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """BANGBAN_<name> from the environment; empty counts as unset."""
    return os.environ.get(f"BANGBAN_{name}") or default


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


MODE = env("MODE", "embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured("BANGBAN_MODE must be 'embedded' or 'production'")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret(filename: str) -> str:
    """A random secret made once per installation, kept in the data directory."""
    path = DATA_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _secret(name: str, filename: str) -> str:
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"生产模式必须设置 BANGBAN_{name}（不得使用默认密钥）")
    return _embedded_secret(filename)


SECRET_KEY = _secret("SECRET_KEY", "secret_key")
# Personal data (ID numbers, phones, addresses) is encrypted with its own key so that
# rotating the session key never makes stored records unreadable.
PERSONAL_DATA_KEY = _secret("PERSONAL_DATA_KEY", "personal_data_key")
# Keys the case timeline's hash chain, so a rewrite of the database alone cannot forge it.
AUDIT_KEY = _secret("AUDIT_KEY", "audit_key")
# The cryptographic suite (docs/operations.md, 密码算法): "sm" (国密: SM4-GCM for personal
# fields, HMAC-SM3 for lookup hashes and the hash chain; the default) or "legacy"
# (AES-256-GCM and HMAC-SHA256, what earlier versions wrote). Data written under either suite
# stays readable whatever this says; `bangban pii_rekey` moves personal data to this suite.
CRYPTO_SUITE = env("CRYPTO_SUITE", "sm").strip().lower()
if CRYPTO_SUITE not in {"sm", "legacy"}:
    raise ImproperlyConfigured("BANGBAN_CRYPTO_SUITE 只能是 sm（国密，默认）或 legacy")
# During a key rotation only: the previous personal-data key, read but never written with
# (`bangban pii_rekey` re-encrypts everything under PERSONAL_DATA_KEY; then remove this).
PERSONAL_DATA_KEY_OLD = env("PERSONAL_DATA_KEY_OLD")
# The electronic-licence lookup of the material vault (电子证照库): a class with ``find``
# (bangban.vault.licences.LicenceLookup); the demo table unless the province's is configured.
VAULT_LICENCE_LOOKUP = env("VAULT_LICENCE_LOOKUP", "bangban.vault.licences.DemoLicenceLookup")
# During a rotation of AUDIT_KEY only: the previous key, so chains sealed under it still
# verify until `bangban audit rechain` has re-sealed them under AUDIT_KEY; then remove it.
AUDIT_KEY_OLD = env("AUDIT_KEY_OLD")
# SM2 key pair of the audit checkpoints (`bangban audit keygen` makes one): the private key
# signs them; the public key alone verifies an exported checkpoint (docs/operations.md).
AUDIT_SIGNING_KEY = env("AUDIT_SIGNING_KEY")
AUDIT_PUBLIC_KEY = env("AUDIT_PUBLIC_KEY")

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # first: its runserver serves ASGI_APPLICATION, WebSockets included (remote help)
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files: /api/docs works on an intranet
    "huey.contrib.djhuey",
    "bangban.thirdparty.AxesConfig",  # django-axes: staff login lockout (see AXES_* below)
    "csp",  # Content-Security-Policy header (see CONTENT_SECURITY_POLICY below)
    "bangban.workdays",
    "bangban.network",
    "bangban.staff",
    "bangban.catalogue",
    "bangban.clients",
    "bangban.consultations",
    "bangban.cases",
    "bangban.apiauth",
    "bangban.documents",
    "bangban.notifications",
    "bangban.oversight",
    "bangban.visits",
    "bangban.preparedness",
    "bangban.remote",
    "bangban.partners",
    "bangban.vault",
    "bangban.workbench",
    "bangban.offline",
    "bangban.portal",
    "bangban.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # refuses NUL characters and out-of-range ids before any session, view or query (edge.py)
    "bangban.edge.EdgeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangban.workdays.middleware.calendar_scope_middleware",
    # refuses a login from an address past its ceiling of wrong passwords (staff/lockout.py)
    "bangban.staff.lockout.address_ceiling_middleware",
    # last, as django-axes asks: turns a refused login into the locked-out page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bangban.urls"
WSGI_APPLICATION = "bangban.wsgi.application"
# HTTP and the WebSockets of remote help (bangban/asgi.py; docs/operations.md 9.7)
ASGI_APPLICATION = "bangban.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bangban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bangban.workdays.context_processors.calendar_warnings",
                "bangban.staff.context_processors.admin_link",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'bangban.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the server read while a job writes; busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0


def db_pool(value: str) -> dict | None:
    """BANGBAN_DB_POOL: empty/off for none, on for 1–4 connections, or "min,max"."""
    value = value.strip().lower()
    if value in {"", "0", "off", "false", "no"}:
        return None
    if value in {"1", "on", "true", "yes"}:
        return {"min_size": 1, "max_size": 4}
    try:
        low, high = (int(part) for part in value.split(","))
    except ValueError:
        raise ImproperlyConfigured(
            "BANGBAN_DB_POOL 只能是 off、on 或“最少,最多”两个整数（如 2,4）"
        ) from None
    if not 0 <= low <= high or high < 1:
        raise ImproperlyConfigured(
            "BANGBAN_DB_POOL 的“最少,最多”须满足 0 ≤ 最少 ≤ 最多，且最多 ≥ 1"
        )
    return {"min_size": low, "max_size": high}


# psycopg's connection pool (docs/operations.md 9.2), per process, PostgreSQL only: each
# request borrows a connection and gives it back. Django refuses a pool with persistent
# connections, so CONN_MAX_AGE is 0 then (the pool is what keeps them open).
DB_POOL = db_pool(env("DB_POOL"))
if DB_POOL and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DB_POOL
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Server-side binding lets psycopg prepare a statement the second time a connection runs it,
# so PostgreSQL plans each of a page's queries once per connection rather than per request
# (planning the case lookup's five-table join costs more than running it; docs/BENCHMARKS.md).
# Off behind a pooler in transaction mode (pgbouncer), which cannot keep prepared statements.
DB_PREPARED = env("DB_PREPARED", "on").strip().lower() not in {"", "0", "off", "false", "no"}
if DB_PREPARED and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = env("CACHE_URL")
if _cache_url.startswith("redis://"):
    CACHES = {
        "default": {
            # Django's, reusing one client per pool (bangban/rediscache.py)
            "BACKEND": "bangban.rediscache.ReusingRedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_redis_url = env("REDIS_URL")
if _redis_url:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "bangban",
        "url": _redis_url,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "bangban",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        # Under pytest jobs run in-process at once, so tests see their effects.
        "immediate": env_bool("JOBS_IMMEDIATE", "pytest" in sys.modules),
    }

# Remote help's signalling between the two browsers and the live queue (bangban/remote/).
# Embedded: in the one web process's memory. With Redis (BANGBAN_REDIS_URL) every ASGI
# process shares it, so the two parties of a session may be served by different processes.
if _redis_url:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [_redis_url], "prefix": "bangban-asgi"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# The STUN/TURN servers the session page hands to RTCPeerConnection, as the JSON list of
# RTCIceServer it takes (docs/operations.md 9.7, scripts/coturn-start), e.g.
# [{"urls": ["turn:turn.example.gov.cn:3478"], "username": "bangban", "credential": "…"}].
# Empty: direct connections only (enough inside one network).
_ICE_SERVERS_WRONG = "BANGBAN_ICE_SERVERS 须是 JSON 列表，见 docs/operations.md 9.7"
try:
    REMOTE_ICE_SERVERS = json.loads(env("ICE_SERVERS", "[]"))
except ValueError:
    raise ImproperlyConfigured(_ICE_SERVERS_WRONG) from None
if not isinstance(REMOTE_ICE_SERVERS, list):
    raise ImproperlyConfigured(_ICE_SERVERS_WRONG)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if "pytest" in sys.modules:
    # Tests create many logins; a slow hash there measures nothing but the hash.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Staff login lockout (django-axes; docs/operations.md 安全). After LOGIN_FAILURE_LIMIT wrong
# passwords an account is refused for LOGIN_LOCKOUT_MINUTES, counted again from each try
# made while locked; a good login clears the count. Locked per account ("username", the
# default), never per address alone: a whole service hall shares one NAT address, and one
# bad actor there must not lock out every colleague. Per account also caps guessing from
# many addresses at once. "username_ip" locks only that account from that address instead
# (an attacker elsewhere then cannot keep a known account locked, but a botnet gets
# LOGIN_FAILURE_LIMIT guesses per address). Administrators unlock in the admin (Axes ›
# Access attempts: delete the account's row) or with `bangban axes_reset_username <账号>`.
# The API's tokens and the portal's one-time codes have their own limits (apiauth/tokens.py,
# portal/otp.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account before the check
    "bangban.staff.backends.StaffModelBackend",  # the user and their staff record in one query
    "django.contrib.auth.backends.ModelBackend",  # sessions begun before the line above
]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_LOCKOUT_MINUTES", "15")))
_lockout_by = env("LOGIN_LOCKOUT_BY", "username")
if _lockout_by not in {"username", "username_ip"}:
    raise ImproperlyConfigured("BANGBAN_LOGIN_LOCKOUT_BY must be 'username' or 'username_ip'")
AXES_LOCKOUT_PARAMETERS = (
    ["username"] if _lockout_by == "username" else [["username", "ip_address"]]
)
AXES_RESET_ON_SUCCESS = True
# The caller's address as the rate limits see it (honours BANGBAN_CLIENT_IP_HEADER).
AXES_CLIENT_IP_CALLABLE = "bangban.netaddr.client_ip"
AXES_LOCKOUT_CALLABLE = "bangban.staff.lockout.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# Wrong passwords per network address (any accounts) before that address's logins are
# refused until the window ends: against one password tried on many accounts
# (bangban/staff/lockout.py). Far above a NAT'd service hall's mistyping.
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
LOGIN_ADDRESS_WINDOW_MINUTES = int(env("LOGIN_ADDRESS_WINDOW_MINUTES", "60"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "bangban" / "locale"]  # third-party admin labels in Chinese
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing directory
STATICFILES_DIRS = [BASE_DIR / "bangban" / "static"]
# Nothing serves MEDIA_URL: files go out only through views that check who may have them
# (bangban/downloads.py), and the web server must not serve MEDIA_ROOT either.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
X_FRAME_OPTIONS = "DENY"
# Staff see personal data on shared counter PCs: a session ends when the browser closes,
# and after SESSION_HOURS (a working day) in any case.
SESSION_COOKIE_AGE = int(float(env("SESSION_HOURS", "10")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# With a shared cache (Redis) a session is read from the cache and written through to the
# database, so a request pays no session query. Never with the per-process cache: a worker
# would keep serving a session that another worker signed out.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _cache_url.startswith("redis://")
    else "django.contrib.sessions.backends.db"
)

# HTTPS (docs/operations.md 安全). nginx terminates TLS and talks plain HTTP to gunicorn, so
# the platform learns that a request came over HTTPS only from a header nginx writes
# (`proxy_set_header X-Forwarded-Proto $scheme;`). As with CLIENT_IP_HEADER, name it only
# when every request comes through that proxy: a client can send any header itself.
PROXY_SSL_HEADER = env("PROXY_SSL_HEADER")
if PROXY_SSL_HEADER:
    from bangban.netaddr import meta_key

    SECURE_PROXY_SSL_HEADER = (meta_key(PROXY_SSL_HEADER), "https")
# Plain-HTTP requests are redirected to HTTPS only when the proxy says which ones those are
# (else every request would look plain and loop); /healthz answers monitors on plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", PRODUCTION and bool(PROXY_SSL_HEADER))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS is sent on HTTPS responses only. A year in production: browsers then refuse plain
# HTTP to this host for that long, so try a short value (3600) first on a new certificate.
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = []
if _lockout_by == "username":
    # axes.W006 wants the address in every lock, against rotating user agents or cookies;
    # a per-account lock does not care about either, and per address would lock a NAT hall.
    SILENCED_SYSTEM_CHECKS.append("axes.W006")
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks for the browsers' built-in HSTS preload list: a public-internet
    # registration, hard to undo, and of no use for an intranet or 政务外网 host.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp 4). Scripts and styles come only from our static
# files: no inline <script>, no on*= handlers, no style="" attributes or <style> blocks in
# the site's pages (htmx's own indicator <style> is off in base.html). Signature pads
# redraw from data: PNGs. The PDF forms (WeasyPrint) are rendered server-side and are not
# affected. BANGBAN_CSP_REPORT_ONLY=true sends the same policy as report-only, to find
# what a changed template would break without breaking it.
_csp = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp

# The caller's address (bangban/netaddr.py, for rate limits and one-time codes) is
# REMOTE_ADDR unless this names the header the reverse proxy in front writes, e.g.
# "X-Real-IP", or "X-Forwarded-For" (its right-most entry, the one the proxy appended).
# Name a header only when every request comes through that proxy: clients can send any.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER")
# django-ninja's throttles (the public progress API) read X-Forwarded-For on their own:
# trust only the entry our proxy appended, or none.
NINJA_NUM_PROXIES = 1 if CLIENT_IP_HEADER.strip().lower() == "x-forwarded-for" else 0

# Printed forms (docs/forms.md): a centre's own templates, the Chinese font embedded in
# every PDF (else the first of documents.rendering.FONT_CANDIDATES found), and the public
# address the QR code on every form leads to (a letterhead may name its own).
FORMS_DIR = Path(env("FORMS_DIR", str(DATA_DIR / "forms")))
FORMS_FONT = env("FORMS_FONT")
PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:8000")

# How many demo cases `bangban demo` (and `make run` on an empty database) creates.
DEMO_CASES = int(env("DEMO_CASES", "300"))

# The scale bench's yardstick (bench/scale; bangban/benchmode.py): /bench/ceiling, a view
# with no database, no template and no session, and each answer's query count in a header,
# only when this is on. Never on in production: `make bench-scale` sets it for its gunicorn.
BENCH_CEILING = env_bool("BENCH_CEILING", False)
if BENCH_CEILING:
    MIDDLEWARE.insert(0, "bangban.benchmode.count_queries")

# Oversight figures read a year's older days from the daily roll-up (oversight/rollup.py);
# off, every figure is counted from the cases (slower; the tests compare the two).
OVERSIGHT_ROLLUP = env_bool("OVERSIGHT_ROLLUP", True)

# SMS: "console" writes each message to the log (embedded mode; one-time codes appear in the
# server log); "http" posts to the gateway at BANGBAN_SMS_URL (see bangban/notifications/sms.py).
SMS_BACKEND = env("SMS_BACKEND", "console")
SMS_URL = env("SMS_URL")
SMS_TOKEN = env("SMS_TOKEN")

# Notifications (docs/notifications.md): e-mail to staff (console unless an SMTP host is
# given) and the outbox worker's tuning. The claim timeout must exceed one send's timeout.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "帮办代办服务平台 <noreply@bangban.local>")
OUTBOX_MAX_ATTEMPTS = int(env("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RETRY_SECONDS = int(env("OUTBOX_RETRY_SECONDS", "60"))
OUTBOX_RETRY_MAX_SECONDS = int(env("OUTBOX_RETRY_MAX_SECONDS", "3600"))
OUTBOX_CLAIM_TIMEOUT = int(env("OUTBOX_CLAIM_TIMEOUT", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"bangban": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")}},
}
