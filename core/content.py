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
from dataclasses import dataclass

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone

from .django_private import on_commit_queue
from .middleware import DATABASE_UNREACHABLE

logger = logging.getLogger(__name__)

CACHE_KEY = "content-version"
_request = Local()


@dataclass(frozen=True)
class Schedule:
    """Rows that go live by the clock: ``model`` rows matching ``filters`` whose ``field``
    (a date-time) is still in the future. Registered by the app that owns them."""

    model: type
    field: str
    filters: tuple = ()

    def next_due_query(self):
        """``field`` of the rows not yet live, soonest first (``.first()`` runs it)."""
        return (
            self.model._default_manager.filter(
                **dict(self.filters), **{f"{self.field}__gt": timezone.now()}
            )
            .order_by(self.field)
            .values_list(self.field, flat=True)
        )


_schedule = None


def register_schedule(model, field, **filters):
    """Make cached pages end when a ``model`` row whose ``field`` is in the future goes live
    (stories scheduled for later): news registers its stories in ``AppConfig.ready()``."""
    global _schedule
    _schedule = Schedule(model, field, tuple(sorted(filters.items())))


def _uses_cache():
    return settings.CONTENT_VERSION_STORE == "cache"


def _next_due():
    return _schedule.next_due_query().first() if _schedule else None


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
        due = get_or_compute(key, lambda: _next_due() or False, timeout=600)
        if due and due <= timezone.now():
            due = _next_due() or False
            cache.set(key, due, timeout=600)
        return version, due or None
    return _read_database()


def _read_database():
    """(version, next due) in one short statement, written out: composing it with the ORM
    cost 0.6 ms on every request, twice what a whole /healthz takes."""
    from .models import ContentVersion

    quote = connection.ops.quote_name
    version_meta = ContentVersion._meta
    version_table = quote(version_meta.db_table)
    version = quote(version_meta.get_field("version").column)
    version_row = f"{version_table} WHERE {quote(version_meta.pk.column)} = 1"
    if _schedule is None:
        sql, params, due_field = f"SELECT {version}, NULL FROM {version_row}", [], None
    else:
        meta = _schedule.model._meta
        due_field = meta.get_field(_schedule.field)
        conditions = [f"{quote(meta.get_field(name).column)} = %s" for name, _ in _schedule.filters]
        due_column = quote(due_field.column)
        where = " AND ".join([*conditions, f"{due_column} > %s"])
        sql = (
            f"SELECT {version}, (SELECT {due_column} FROM {quote(meta.db_table)}"
            f" WHERE {where} ORDER BY {due_column} LIMIT 1)"
            f" FROM {version_row}"
        )
        now = due_field.get_db_prep_value(timezone.now(), connection)
        params = [*(value for _, value in _schedule.filters), now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return 0, _next_due()
    version, due = row
    if due is not None:
        # What the ORM does to a column it reads: SQLite returns the timestamp as text.
        column = due_field.get_col(_schedule.model._meta.db_table)
        for convert in connection.ops.get_db_converters(column):
            due = convert(due, column, connection)
    return version, due


def _state():
    state = getattr(_request, "state", None)
    if state is not None:
        return state
    try:
        state = _read()
    except DATABASE_UNREACHABLE:
        # No database, no page: the request answers 503 (core.middleware), logged once.
        raise
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


class PendingBump:
    """A bump waiting for a commit (content_changed queues one per transaction)."""

    ran = False

    def __call__(self):
        self.ran = True
        _bump()


def content_changed(using=None):
    """Call after changing what visitors see: the version moves when the change commits,
    once however many rows the transaction changed (a device saved with its spec values
    bumped it once a row)."""
    queued = on_commit_queue(using)
    if not any(isinstance(f, PendingBump) and not f.ran for f in queued):
        transaction.on_commit(PendingBump(), using=using)


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
