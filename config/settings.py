"""Settings for the commitments tracker, driven by environment variables.

Every variable is documented in README.md. Local development is the default only when asked
for with DJANGO_DEBUG=1 (the Makefile does this for `make run` and `make test`); without it the
app runs in production mode and refuses to start without a real secret key and allowed hosts.
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable; anything but a recognised word is a configuration error."""
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Read a whole number, optionally no smaller than `minimum`."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {number}")
    return number


def env_networks(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list of IP addresses or networks (`10.0.0.5`, `10.0.0.0/24`)."""
    networks = env_list(name, default)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks, e.g. 10.0.0.5,10.0.1.0/24; "
                f"got {network!r}"
            ) from None
    return networks


def env_url(name: str, default: str = "") -> str:
    """Read an absolute http(s) address; empty or unset gives the default."""
    value = os.environ.get(name, "").strip() or default
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ImproperlyConfigured(
            f"{name} must be an http:// or https:// address, e.g. https://example.org/; "
            f"got {value!r}"
        ) from None
    return value


def env_email(name: str) -> str:
    """Read an email address; empty means not set."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ImproperlyConfigured(
            f"{name} must be an email address, e.g. corrections@example.org; got {value!r}"
        ) from None
    return value


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'. On a developer's "
            "machine, set DJANGO_DEBUG=1 instead, as `make run` and `make test` do, e.g. "
            "DJANGO_DEBUG=1 .venv/bin/python manage.py check"
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only"
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    # The same test as Django's security.W009, made fatal: a guessable key lets anyone forge
    # sessions and password-reset links.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: it needs at least 50 characters, "
        "at least 5 different ones, and must not start with 'django-insecure'. Generate one "
        "with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_DEBUG is off."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS. In production every request is redirected to https, cookies are only sent over https
# and browsers are told (HSTS) never to use plain http for this site again.
# Behind a reverse proxy that terminates TLS, the app sees plain http from the proxy; with
# DJANGO_BEHIND_PROXY=1 it trusts the proxy's X-Forwarded-Proto header (and X-Forwarded-For for
# the client's address, see AXES_CLIENT_IP_CALLABLE), but only on requests that come from one of
# DJANGO_TRUSTED_PROXIES.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
# How many proxies append to X-Forwarded-For in front of the app (1: just nginx).
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 1, minimum=1)
# The addresses (or networks) the reverse proxy connects from. Only requests that arrive from
# one of them may speak for the client through X-Forwarded-*: tracker.security.
# TrustedProxyMiddleware removes those headers from anybody else's request, so reaching gunicorn
# directly, past the proxy, forges nothing. Loopback by default: nginx on the same machine.
TRUSTED_PROXIES = env_networks("DJANGO_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer may probe over plain http; the health check answers it rather than redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Links to evidence on other sites must not leak the address of an admin page.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page may be framed (clickjacking); tracker.security.allow_embedding is the exception.
X_FRAME_OPTIONS = "DENY"

# The most a form may post: 10 MiB, read into memory. The largest form an editor can fill
# within the fields' length limits (docs/data.md) is a source's, with a full text of up to
# 2,000,000 characters, posted as multipart/form-data (tracker.admin.SourceAdmin) so at most
# 4 bytes a character: 8 MB. Every other form stays under 1.5 MB even with each character 4
# bytes written as "%XX" (the member grid of 20 member states; tests/test_oversized_posts.py
# works them out). So an over-long note reaches its form and comes back with the field's
# error and the text kept; a post over this gets the 413 page (tracker.errors.bad_request).
# nginx's client_max_body_size must be larger (docs/deploy.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Content-Security-Policy (django-csp): only this site's own scripts, styles and images run or
# load; no inline script, no plugins, no framing. Pages work under it because templates carry
# no inline <script>, no style="" and no on*= handlers (tests/test_csp.py checks every page).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Lets `runserver` serve static files exactly as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "django_filters",
    "tracker",
]

MIDDLEWARE = [
    # First: every later layer (the https redirect, login throttling) must see only the
    # X-Forwarded-* headers a trusted proxy sent.
    "tracker.security.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages from the cache, with 304s (tracker/caching.py): a kept page is
    # served from here, skipping every layer below. Before the session, CSRF and messages
    # layers, so it sees every cookie they set and refuses to keep such a response.
    "tracker.caching.PublicPageCacheMiddleware",
    # A first visit to an English address by a visitor who prefers Vietnamese or Indonesian
    # (language cookie, else Accept-Language) is redirected to that language's address
    # (tracker/languages.py). The page cache leaves such a visitor to it.
    "tracker.languages.PreferredLanguageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the address (/vi/…, /id/…; English unprefixed)…
    "django.middleware.locale.LocaleMiddleware",
    # …which reads every unprefixed address, the admin's too, as English: this one gives the
    # admin the editor's language (cookie, else Accept-Language).
    "tracker.languages.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, skipping the policy a page from the cache already carries.
    "tracker.security.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "tracker.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a serious embedded database for one machine: in WAL mode readers never block
    # the writer; IMMEDIATE takes the write lock when a transaction begins, so two writers queue
    # up instead of failing halfway with "database is locked"; the timeout is how long one waits
    # for the other (seconds); synchronous=NORMAL is durable across crashes of the app in WAL mode.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("DJANGO_SQLITE_TIMEOUT", 20, minimum=1),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions live in the database, so every app instance sees them. The cache is per process
# unless REDIS_URL names a Redis server shared by all instances (needs the `redis` extra).
# With Redis down, pages are rendered afresh (tracker.caching.ForgivingRedisCache treats its
# errors as misses); the timeouts (seconds) keep a hung Redis from holding requests up.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache is bounded in bytes (issue 21): without Redis, each worker's cache keeps at most
# TRACKER_CACHE_MAX_BYTES, its least recently used entries evicted first (Redis: its own
# maxmemory and allkeys-lru, docs/deploy.md); either way, no page larger than
# TRACKER_PAGE_CACHE_MAX_PAGE_BYTES is kept (it is served, rendered each time).
TRACKER_CACHE_MAX_BYTES = env_int("TRACKER_CACHE_MAX_BYTES", 64 * 1024 * 1024, minimum=0)
TRACKER_PAGE_CACHE_MAX_PAGE_BYTES = env_int(
    "TRACKER_PAGE_CACHE_MAX_PAGE_BYTES", 1024 * 1024, minimum=0
)
CACHES = {
    "default": (
        {
            "BACKEND": "tracker.caching.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        # Room for the pages of one content version; older ones are never asked for again.
        else {
            "BACKEND": "tracker.caching.BoundedLocMemCache",
            "LOCATION": "tracker",
            "OPTIONS": {"MAX_ENTRIES": 2000, "MAX_BYTES": TRACKER_CACHE_MAX_BYTES},
        }  # fmt: skip
    )
}

# Anonymous public pages are kept in the cache above, keyed by the content version that
# every write moves on (tracker/caching.py), so they are never stale. TRACKER_PAGE_CACHE=0
# turns it off (every page rendered each time; ETags and 304s go with it). Pages of older
# versions are never asked for again; TRACKER_PAGE_CACHE_SECONDS only bounds how long they
# take up room.
TRACKER_PAGE_CACHE = env_bool("TRACKER_PAGE_CACHE", True)
TRACKER_PAGE_CACHE_SECONDS = env_int("TRACKER_PAGE_CACHE_SECONDS", 24 * 60 * 60, minimum=1)
# On PostgreSQL each process keeps the content version and listens for its changes (LISTEN/
# NOTIFY), so a cached page needs no database round trip (tracker/versions.py). Turn it off
# (0) when the database is reached through a pooler that cannot LISTEN (PgBouncer in
# transaction mode): each request then reads the version itself.
TRACKER_LISTEN_FOR_WRITES = env_bool("TRACKER_LISTEN_FOR_WRITES", True)

# The only login is the admin's: after it, and after a refused `?next=`, go to the admin.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Login throttling (django-axes): after DJANGO_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for DJANGO_LOGIN_COOLOFF_MINUTES. Locking
# the pair, not the username alone, means a stranger cannot lock an editor out of their own
# account by typing wrong passwords for it; not the address alone, so colleagues behind one
# office address do not lock each other out. Attempts are kept in the database, which every
# app instance shares. Unlock early with `manage.py axes_reset_username NAME` or `axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
# Never lock out forever: a zero cool-off would mean "until an administrator resets it".
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Each attempt during a lockout starts the cool-off again, so the lockout page can say exactly
# when to try again: a cool-off from now.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "tracker.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tracker.security.client_ip"
# Not a startup banner on every manage.py command; lockouts are still logged.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface in English, Vietnamese and Bahasa Indonesia (docs/languages.md): English at
# the root, the others under /vi/ and /id/. Catalogues in locale/, compiled and committed.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese")), ("id", _("Indonesian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A visitor's choice in the language switcher is remembered for a year, so a visitor whose
# browser prefers Vietnamese and who chose English is not sent back to /vi/.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Dates read "15 January 2026" everywhere, the admin included (config/formats/en/formats.py);
# "15 tháng 1 năm 2026" and "15 Januari 2026" in Vietnamese and Indonesian (config/formats/vi,
# config/formats/id).
FORMAT_MODULE_PATH = ["config.formats"]
# Counts are grouped by thousands as each language writes them: "1,234", "1.234" (docs/glossary.md).
# Numbers meant for machines (page numbers in links, anchors, drawing coordinates) are written
# with `unlocalize`, `{% localize off %}` or str(), never through the page's format.
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files with far-future caching in production. With DEBUG on
        # (local runs and tests) files are served straight from the source folders, so
        # nobody has to run collectstatic to see a change.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# With DEBUG on, whitenoise serves files straight from the app and static folders.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# The public site's name, shown in page titles and the header; the default is translated.
TRACKER_SITE_NAME = os.environ.get("TRACKER_SITE_NAME") or _("Commitments Tracker")
# Who publishes this deployment, how to reach them and under what licence its data may be
# reused: shown on /about/, in every page's footer, on /data/ and in the downloads. The defaults
# name no real organisation; a deployment sets its own (docs/deploy.md). Without a contact
# address, /about/ says so and `check --deploy` warns (tracker.W001): nobody could ask for a
# correction.
TRACKER_PUBLISHER = os.environ.get("TRACKER_PUBLISHER", "").strip() or "Policy Commitments Tracker"
TRACKER_PUBLISHER_URL = env_url("TRACKER_PUBLISHER_URL")
TRACKER_CONTACT_EMAIL = env_email("TRACKER_CONTACT_EMAIL")
TRACKER_DATA_LICENSE_NAME = os.environ.get("TRACKER_DATA_LICENSE_NAME", "").strip() or "CC BY 4.0"
TRACKER_DATA_LICENSE_URL = env_url(
    "TRACKER_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
)
# How many commitments a list page shows at once.
TRACKER_PAGE_SIZE = env_int("TRACKER_PAGE_SIZE", 25)
# After how many days without a review the admin's "needs review" filter lists a commitment.
TRACKER_REVIEW_DAYS = env_int("TRACKER_REVIEW_DAYS", 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
