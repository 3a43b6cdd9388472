"""Cached public content: a content version that every edit bumps, and cache access that
survives a cache outage (a page is then rendered fresh, never failed)."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "content-version"


def content_version():
    """A number that changes on every edit; part of every cached fragment's key."""
    try:
        version = cache.get(CONTENT_VERSION_KEY)
        if version is None:
            version = 1
            cache.add(CONTENT_VERSION_KEY, version, timeout=None)
    except Exception:
        logger.warning("Cache unavailable; content version unknown", exc_info=True)
        return "unavailable"
    return version


def bump_content_version(**kwargs):
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, timeout=None)
    except Exception:
        # The edit itself must not fail; cached pages expire on their own timeout.
        logger.error("Cache unavailable; cached pages may show old content", exc_info=True)


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
