"""Invalidate cached public content whenever an editor changes the catalog or the news."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .caching import bump_content_version

# Visitor state, not content: changing it must not invalidate every cached page.
NOT_CONTENT = {"CompareList", "CompareItem", "ComparisonCount"}


def _on_change(sender, **kwargs):
    # Through models of many-to-many fields belong to their app too.
    if sender._meta.app_label in {"comparisons", "news"} and sender.__name__ not in NOT_CONTENT:
        bump_content_version()


post_save.connect(_on_change, dispatch_uid="specwise-content-save")
post_delete.connect(_on_change, dispatch_uid="specwise-content-delete")
m2m_changed.connect(_on_change, dispatch_uid="specwise-content-m2m")
