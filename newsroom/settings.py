"""Newsroom settings, driven by environment variables (see .env.example).

Read top to bottom: every value either comes from the environment or is a fixed
choice of the project. Production (DEBUG off) refuses to start without SECRET_KEY
and ALLOWED_HOSTS, and says which one is missing.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path):
    """Read KEY=VALUE lines from a git-ignored .env; real environment variables win."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_load_dotenv(BASE_DIR / ".env")


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_whole(name, default):
    """A whole number of at least 0 from the environment, or a message naming the variable."""
    value = os.environ.get(name, "").strip() or str(default)
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more (got {value[:20]!r}).")
    return int(value)


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
# The site's public address (scheme and host, no path): canonical links, feeds, sitemaps, structured data
# and the API name pages by it, never by the Host header a request happens to carry. Set it in production:
# without it the first named host of ALLOWED_HOSTS is taken, over https, and `check --deploy` warns
# (articles/checks.py); in development http://127.0.0.1:8000, where `make run` serves.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
SITE_URL_SET = bool(SITE_URL)
if SITE_URL and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", SITE_URL):
    raise ImproperlyConfigured("SITE_URL must be a scheme and a host, e.g. https://news.example.vn (no path).")
if not SITE_URL:
    named = [host.lstrip(".") for host in ALLOWED_HOSTS if host not in ("*", "")]
    SITE_URL = "http://127.0.0.1:8000" if DEBUG or not named else f"https://{named[0]}"
if not DEBUG:
    missing = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is off and {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
            "Set them in the environment (see .env.example), or set DEBUG=1 for local development."
        )
elif not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is not set. `make run` writes one into .env; see .env.example.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "ninja",
    "django_prose_editor",
    "csp",
    "axes",
    "reversion",
    "articles",
    "photos",
]

MIDDLEWARE = [
    # Pages for anonymous readers, outermost: a stored page is the whole answer the middleware below made,
    # security and Content-Security-Policy headers included, so newsroom/wsgi.py can serve it before Django
    # builds a request. Plain http that must go to https, static files and media pass it by
    # (newsroom/pagecache.py).
    "newsroom.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.csp.CSPMiddleware",
    # A 503 page while the database is out of reach: outside every middleware that reads it, inside the
    # ones that put security headers on every response (newsroom/middleware.py says why).
    "newsroom.middleware.OutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a login refused for too many failures into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "articles.context_processors.navigation",
            ],
        },
    },
]

# SQLite file by default so a newcomer needs no server; PostgreSQL via DATABASE_URL.
# Connections persist across requests: a new PostgreSQL connection per request costs ~4 ms.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL cancels any statement that runs longer than this many milliseconds, and the request answers
# 503 (newsroom/middleware.py) instead of holding a worker. The web server's entry points (newsroom/wsgi.py,
# asgi.py) default it to 5000: hundreds of times what a reader page's queries take, and well under gunicorn's
# 30-second worker timeout, which would kill the worker with no answer at all. Everything else (migrations,
# rebuild_search_index, the benchmarks' loaders, the tests) defaults to 0, off, so a long batch is not cut.
DB_STATEMENT_TIMEOUT_MS = os.environ.get("DB_STATEMENT_TIMEOUT_MS", "0").strip()
if not (DB_STATEMENT_TIMEOUT_MS.isascii() and DB_STATEMENT_TIMEOUT_MS.isdigit()):
    raise ImproperlyConfigured("DB_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds, 0 (off) or more.")
DB_STATEMENT_TIMEOUT_MS = int(DB_STATEMENT_TIMEOUT_MS)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the shared cache in production (REDIS_URL); local memory otherwise. Two caches: "default" for what
# the code keeps (navigation, feed dates) and "pages" for whole reader pages (newsroom/pagecache.py). Against
# Redis both go through newsroom/cache.py, which answers "not there" while Redis is out of reach instead of
# raising, so pages are served, slower, and caching resumes by itself when Redis answers again. A Redis that
# does not answer within REDIS_TIMEOUT_MS is taken as out of reach.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Read (and checked) whichever cache is in use, so a wrong value is found before it matters.
PAGE_CACHE_ENTRIES = env_whole("PAGE_CACHE_ENTRIES", 2000)
REDIS_TIMEOUT_MS = env_whole("REDIS_TIMEOUT_MS", 250)
if not REDIS_TIMEOUT_MS:
    raise ImproperlyConfigured("REDIS_TIMEOUT_MS must be at least 1 (milliseconds).")
if REDIS_URL:
    _redis_options = {"socket_connect_timeout": REDIS_TIMEOUT_MS / 1000, "socket_timeout": REDIS_TIMEOUT_MS / 1000}
    CACHES = {
        alias: {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": _redis_options,
        }
        for alias, prefix in (("default", "newsroom"), ("pages", "newsroom-pages"))
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        # Each worker process keeps its own pages; the generation they are filed under is in the database,
        # so a save in any worker is seen by all of them (newsroom/pagecache.py).
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES},
        },
    }

# The page cache (newsroom/pagecache.py): anonymous readers' pages, feeds, sitemaps and API answers served
# again without being made again. PAGE_CACHE=off makes every answer afresh and marks none of them public.
# A stored page lives at most PAGE_CACHE_SECONDS, and never past the next scheduled publish_at or expire_at;
# browsers, nginx and CDNs may keep it PAGE_MAX_AGE seconds (same limit), then serve it stale for up to
# PAGE_STALE_SECONDS while they fetch it again.
# Off by default in development (DEBUG), where a template edited would otherwise be seen only once the stored
# page runs out; on by default in production.
PAGE_CACHE = env_bool("PAGE_CACHE", default=not DEBUG)
PAGE_CACHE_SECONDS = env_whole("PAGE_CACHE_SECONDS", 600)
PAGE_MAX_AGE = env_whole("PAGE_MAX_AGE", 60)
PAGE_STALE_SECONDS = env_whole("PAGE_STALE_SECONDS", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Our corrections to Django's Vietnamese admin wording (locale/vi).
LOCALE_PATHS = [BASE_DIR / "locale"]
# dd/mm/YYYY in and out, whatever Django's locale data says (newsroom/formats/vi).
FORMAT_MODULE_PATH = ["newsroom.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Photos with more pixels than this are refused on every way in (admin upload, importer),
# read from the file's header before anything is decoded.
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", str(64_000_000)))
# Photo files larger than this many bytes are refused on every way in, before they are read as images.
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(25 * 1024 * 1024)))
# Plain-text article files larger than this are refused by the importer.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(2_000_000)))
# How many hours a share link to an unpublished article lasts unless the editor says otherwise
# (articles/sharing.py); a link lasts at most 720 hours (30 days) whatever is chosen.
SHARE_LINK_HOURS = int(os.environ.get("SHARE_LINK_HOURS", "48"))
if not 1 <= SHARE_LINK_HOURS <= 720:
    raise ImproperlyConfigured("SHARE_LINK_HOURS must be a whole number of hours from 1 to 720.")

# Logins (django-axes): its AxesStandaloneBackend (newsroom/logins.py) comes first and refuses any
# login, right password or not, from an account or an address with AXES_FAILURE_LIMIT failures in the
# last AXES_COOLOFF_MINUTES. Failures are rows in the database, shared by every worker and server; each
# new failure during a lock-out starts the cool-off again. An administrator lifts a lock-out early
# (the admin's access attempts, manage.py axes_reset_username / axes_reset_ip).
AUTHENTICATION_BACKENDS = [
    "newsroom.logins.LoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_MINUTES = int(os.environ.get("AXES_COOLOFF_MINUTES", "15"))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be whole numbers of at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
# Before the lock-out, a slow-down: after two failures each further try must wait this many seconds,
# doubling with each failure (1, 2, 4… with the default); a try that comes sooner is refused unchecked
# and not counted. 0 turns it off.
LOGIN_SLOWDOWN_SECONDS = int(os.environ.get("LOGIN_SLOWDOWN_SECONDS", "1"))
if LOGIN_SLOWDOWN_SECONDS < 0:
    raise ImproperlyConfigured("LOGIN_SLOWDOWN_SECONDS must be a whole number of seconds, 0 or more.")
# Counted per account (guessing one password from many addresses) and per address (guessing many
# accounts' passwords from one), each against the same limit.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "newsroom.logins.LoginAttempts"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "newsroom.logins.client_ip"
AXES_USERNAME_CALLABLE = "newsroom.logins.client_username"
AXES_LOCKOUT_CALLABLE = "newsroom.logins.lockout_response"

LOGIN_URL = "admin:login"
# Where a login goes when its `next` is missing or refused (another site, javascript:…).
LOGIN_REDIRECT_URL = "admin:index"

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via
# SECURE_PROXY=1; SECURE_SSL_REDIRECT and HSTS default on in production.
SESSION_COOKIE_HTTPONLY = True
# Cookies only over HTTPS in production; `make serve` turns this off to try the
# production shape on plain http://127.0.0.1.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Behind that proxy the client's address is the last one it appends to X-Forwarded-For
# (newsroom/logins.py); without SECURE_PROXY the header is ignored, as anyone can send it.
SECURE_PROXY = env_bool("SECURE_PROXY")
if SECURE_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp), the same for reader pages and the admin: everything from
# this site, no inline script and no inline style. Two exceptions, both needed by the admin's prose
# editor (newsroom/csp.py): its <script type="importmap"> runs by a nonce made for that response,
# and Tiptap's base CSS for ProseMirror, which it injects as one fixed <style> block, by its hash
# (a new django-prose-editor may change that text: tests/test_csp_browser.py then fails).
# The body editor's "Photo from the library" button (static/photos/editor-photo.js), loaded by the
# configurable preset; it adds no tag the sanitiser does not already keep.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {"js": [static_lazy("photos/editor-photo.js")], "extensions": {"LibraryPhoto": html_tags([])}},
]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
        "img-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler for "django" would print each of its lines a second time,
        # after the root's: dropped, so they reach the console once, through the root. Configuring
        # "django" resets its children, so runserver's request lines ("django.server") get their
        # handler and format back here, as Django's defaults have them.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # django-axes says at INFO what it does on every login; its warnings are the failures and lock-outs.
        "axes": {"level": "WARNING"},
    },
}

# The paper's name in the masthead, page titles and the admin.
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom Hải Phòng")
