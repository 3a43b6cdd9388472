"""Invalidate cached public content whenever an editor changes the catalog or the news."""

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

CONTENT_VERSION_KEY = "content-version"


def content_version():
    """A number that changes on every edit; part of every cached fragment's key."""
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(CONTENT_VERSION_KEY, version, timeout=None)
    return version


def bump_content_version(**kwargs):
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, timeout=None)


def _is_content_model(sender):
    return sender._meta.app_label in {"comparisons", "news"} and sender.__name__ not in {
        "CompareList",
        "CompareItem",
        "ComparisonCount",
    }


def _on_change(sender, **kwargs):
    # Through models of many-to-many fields belong to their app too.
    if _is_content_model(sender):
        bump_content_version()


post_save.connect(_on_change, dispatch_uid="specwise-content-save")
post_delete.connect(_on_change, dispatch_uid="specwise-content-delete")
m2m_changed.connect(_on_change, dispatch_uid="specwise-content-m2m")
