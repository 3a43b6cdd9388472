"""The content version: one number that changes whenever something a visitor sees changes.

Every cached layer (whole pages, filter options, shared comparison tables, the popular
list) has the version in its key, so a bumped version makes every process render afresh
at its next request, whatever it had cached. The version lives where every process reads
it: in the database (one indexed single-row SELECT per request), or in the shared cache
when the site runs with Redis (no query at all).

What bumps it is explicit: models whose rows public pages show mix in ``ContentModel``
(save and delete) and use a ``ContentQuerySet`` (update, delete, bulk writes); the admin
also bumps after many-to-many edits, and imports and the generator after their bulk work.
The bump runs in ``transaction.on_commit``, so no request can cache the old content under
the new version while the change is still uncommitted.
"""

import logging
import time

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

CACHE_KEY = "content-version"
_request = Local()


def _uses_cache():
    return settings.CONTENT_VERSION_STORE == "cache"


def _next_due_query():
    from news.models import Article

    return Article.objects.next_due_query()


def _read():
    """(version, when the next scheduled story goes live or None)."""
    if _uses_cache():
        version = cache.get(CACHE_KEY)
        if version is None:
            # Never reuse a number an evicted key once had: start from the clock.
            cache.add(CACHE_KEY, time.time_ns() // 1000, timeout=None)
            version = cache.get(CACHE_KEY)
        # Stored per version (a save that changes the schedule bumps it) until it is due.
        key = f"next-due:{version}"
        due = get_or_compute(key, lambda: _next_due_query().first() or False, timeout=600)
        if due and due <= timezone.now():
            due = _next_due_query().first() or False
            cache.set(key, due, timeout=600)
        return version, due or None
    return _read_database()


def _read_database():
    """(version, next due) in one short statement, written out: composing it with the ORM
    cost 0.6 ms on every request, twice what a whole /healthz takes."""
    from news.models import Article

    from .models import ContentVersion

    published_at = Article._meta.get_field("published_at")
    quote = connection.ops.quote_name
    sql = (
        f"SELECT version, (SELECT published_at FROM {quote(Article._meta.db_table)}"
        " WHERE status = %s AND published_at > %s ORDER BY published_at LIMIT 1)"
        f" FROM {quote(ContentVersion._meta.db_table)} WHERE id = 1"
    )
    now = published_at.get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Article.Status.PUBLISHED, now])
        row = cursor.fetchone()
    if row is None:
        return 0, _next_due_query().first()
    version, due = row
    if due is not None:
        # What the ORM does to a column it reads: SQLite returns the timestamp as text.
        column = published_at.get_col(Article._meta.db_table)
        for convert in connection.ops.get_db_converters(column):
            due = convert(due, column, connection)
    return version, due


def _state():
    state = getattr(_request, "state", None)
    if state is not None:
        return state
    try:
        state = _read()
    except Exception:
        logger.warning("Content version unavailable", exc_info=True)
        state = ("unavailable", None)
    if getattr(_request, "active", False):
        _request.state = state
    return state


def content_version():
    """The current version; read once per request (see ContentVersionMiddleware).

    Outside a request it is read afresh on each call. If the store is unreachable the
    answer is "unavailable": pages still render, keyed so they never match a real version.
    """
    return _state()[0]


def in_request():
    """Whether the version is read once for the whole of the current request."""
    return getattr(_request, "active", False)


def next_due():
    """When the next scheduled story goes live (None if none is): cached pages end then.

    Read together with the version, so it costs no query of its own.
    """
    return _state()[1]


def _bump():
    try:
        if _uses_cache():
            try:
                cache.incr(CACHE_KEY)
            except ValueError:
                cache.add(CACHE_KEY, time.time_ns() // 1000, timeout=None)
        else:
            from .models import ContentVersion

            if not ContentVersion.objects.filter(pk=1).update(version=models.F("version") + 1):
                ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    except Exception:
        # The edit itself stands; cached pages expire on their own timeout.
        logger.error("Could not bump the content version", exc_info=True)
    # A request that changed content sees the change on its own next read too.
    _request.state = None


def content_changed(using=None):
    """Call after changing what visitors see: the version moves when the change commits."""
    transaction.on_commit(_bump, using=using)


class ContentVersionMiddleware:
    """Reads the version at most once per request, on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _request.active, _request.state = True, None
        try:
            return self.get_response(request)
        finally:
            _request.active, _request.state = False, None


class ContentQuerySet(models.QuerySet):
    """Bulk writes to content bump the content version (see ContentModel for single rows)."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            content_changed(self.db)
        return rows

    def delete(self):
        result = super().delete()
        if result[0]:
            content_changed(self.db)
        return result

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            content_changed(self.db)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if rows:
            content_changed(self.db)
        return rows


class ContentModel(models.Model):
    """A model public pages show: saving or deleting a row bumps the content version."""

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        content_changed(kwargs.get("using") or self._state.db)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        content_changed(kwargs.get("using") or self._state.db)
        return result


def get_or_compute(key, compute, timeout):
    """``cache[key]``, else ``compute()`` stored under it. A cache error only costs the cache."""
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable for %s", key, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("Could not cache %s", key, exc_info=True)
    return value
