"""Admin machinery shared by the content apps."""

from django.contrib import admin
from django.db import router
from reversion.admin import VersionAdmin

from .content import content_changed


class ContentAdmin(admin.ModelAdmin):
    """Admin for a model public pages show.

    Rows saved or deleted bump the content version through the model and its queryset, but
    many-to-many edits (an article's tags or devices, a spec field's categories) write the
    link tables directly, which neither sees: the change form bumps the version itself.
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_changed(router.db_for_write(self.model))


class VersionedContentAdmin(VersionAdmin, ContentAdmin):
    """Admin for content whose every save is kept as a revision (django-reversion): each
    add, change and admin action runs inside one revision with its user and comment, and
    History lists them newest first."""

    history_latest_first = True
