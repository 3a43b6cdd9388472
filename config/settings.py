"""Settings for Specwise, read from the environment.

Defaults suit a laptop: SQLite in the project folder, DEBUG on. Production runs
``config.production``, which refuses to start without the values it needs.
"""

import os
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name, default=False):
    """A yes/no setting; a value that is neither (a typo such as "flase") stops the start."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS | FALSE_WORDS:
        return value in TRUE_WORDS
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use one of "
        f"{', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}."
    )


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default, minimum=0):
    """A whole-number setting of at least ``minimum``; anything else stops the start."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not a whole number of at least {minimum}."
        )
    return number


def env_time_zone(name, default):
    """An IANA time zone name ("Europe/London"); one Python does not know stops the start."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not a time zone: use an IANA name such as "
            "Europe/London, America/New_York or UTC."
        ) from None
    return value


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-specwise-local-development-only"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
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
    "django_htmx",
    "reversion",
    "django_tasks_db",
    # Layers: catalog, then comparisons and news, which build on it (see README).
    "catalog",
    "comparisons",
    "news",
    "axes",
    # After the content apps: its post-migrate step needs their permissions.
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SiteHeadersMiddleware",
    # Early: a request that cannot reach the database gets the 503 page, not a traceback.
    "core.middleware.DatabaseUnavailableMiddleware",
    # Before anything reads a parameter (the page cache, sessions, CSRF, views).
    "core.middleware.RefuseControlCharactersMiddleware",
    "core.content.ContentVersionMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last (axes' rule): turns a refused sign-in into the locked-out page.
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comparisons.context_processors.compare_list",
                # Last: while the page cache renders, token and nonce are its markers.
                "core.pagecache.context",
            ],
        },
    },
]

# Database: SQLite in the project unless DATABASE_URL says otherwise.
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue
    # behind the busy timeout instead of failing with "database is locked" when one
    # tries to upgrade a read lock.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA cache_size=-20000;"
        "PRAGMA temp_store=MEMORY;"
        # Pages read in place from the operating system's cache instead of copied into the
        # connection's: the story search's tail (a common word's index pages) went from
        # 8-30 ms to 5 at 100,000 stories.
        "PRAGMA mmap_size=1073741824;"
        # Re-analyse tables whose size changed a lot since the last ANALYZE, within a
        # bounded cost, so the planner's picture follows the content (SQLite's advice
        # for long-lived connections).
        "PRAGMA analysis_limit=400;"
        "PRAGMA optimize=0x10002;"
    ),
}
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    # A file, not :memory:, so live-server threads get their own connections and
    # the concurrency tests are real.
    suffix = os.environ.get("TEST_DB_SUFFIX", "")
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / f".test-db{suffix}.sqlite3"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A site's queries are short: JIT compiling one whose cost estimate crosses
    # jit_above_cost (estimates run high: a device page's rivals, 30 ms to run, took
    # 440 ms with JIT at 50,000 devices) costs far more than it saves.
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    pg_options["options"] = f"{pg_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: Redis when REDIS_URL is set, else process memory + database.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "specwise"),
        }
    }
    # In the database with the cache in front: a cache restart signs no one out.
    SESSION_ENGINE = "core.sessions"
    # Every process reads the shared cache: the content version can live there (no query).
    CONTENT_VERSION_STORE = "cache"
else:
    # Each process has its own memory cache: the content version lives in the database.
    CONTENT_VERSION_STORE = "database"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "specwise",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a user's permissions in one query.
    "core.auth.OneQueryModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The newsroom's zone: pages show times in it and the admin takes them in it (stored in UTC).
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
# The site and its admin are in English only: without the translation machinery, every date
# and number a template formats skips a lookup of the active language (6% of a search page).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded images (device photos, hero and story images, share cards). On one machine they
# live in MEDIA_ROOT and the site serves them itself (core.views.media, long-cached); a
# site on several machines puts them on S3-compatible storage (django-storages) with
# MEDIA_BUCKET, and names the storage's origin in MEDIA_ORIGIN for the CSP's img-src.
MEDIA_URL = os.environ.get("MEDIA_URL", "media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "")
if MEDIA_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            # Any S3-compatible service (MinIO, R2, …); unset for AWS itself.
            "endpoint_url": os.environ.get("MEDIA_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_REGION") or None,
            # Public URLs on a CDN or the bucket's own host, never signed: pages are cached.
            "custom_domain": os.environ.get("MEDIA_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            # Every name is a content hash: a name never changes content.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}


def env_origin(name):
    """An origin ("https://media.example.com"), or "" when unset; anything else stops the start."""
    value = os.environ.get(name, "").strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", value):
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not an origin such as https://media.example.com "
            "(scheme and host, no path)."
        )
    return value


# Where images come from besides this site: the media storage's origin (S3, a CDN).
MEDIA_ORIGIN = env_origin("MEDIA_ORIGIN")

# Strict everywhere, so a violation shows up on a laptop before it does in production.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Features no page uses, switched off for the page and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# The CSRF token travels in the page (forms and htmx's header); scripts never read the cookie.
CSRF_COOKIE_HTTPONLY = True

# Proxies in front of the app that append to X-Forwarded-For (0: clients connect directly).
# Login throttling and view counts use the address this many hops from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused for the cool-off time, or until an admin deletes
# the access attempt. Attempts live in the database, so every process agrees.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# Background work (catalog imports in the admin): Django's tasks framework, queued in the
# database and run by ``manage.py db_worker``, a process beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Catalog files uploaded in the admin wait here for the worker: a private folder (never
# under MEDIA_ROOT, which the site serves) that the web server and the worker both read.
IMPORT_ROOT = Path(os.environ.get("IMPORT_ROOT", BASE_DIR / "imports"))

SITE_NAME = "Specwise"
# Share cards (core.cards): new ones drawn a minute, and comparison cards kept at most.
SHARE_CARD_RENDERS_PER_MINUTE = env_int("SHARE_CARD_RENDERS_PER_MINUTE", 30, minimum=1)
SHARE_CARDS_MAX = env_int("SHARE_CARDS_MAX", 5000, minimum=1)
# How many devices a visitor's compare list holds.
COMPARE_MAX = env_int("COMPARE_MAX", 4, minimum=2)
# The compare list lives in the database, found through this long-lived cookie,
# so it survives login and logout (logout flushes the session).
COMPARE_COOKIE_NAME = "specwise_compare"
COMPARE_COOKIE_SECURE = False
# Lists untouched this long are removed by ``manage.py prune_compare_lists`` (run it daily).
COMPARE_LIST_DAYS = env_int("COMPARE_LIST_DAYS", 365, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
