"""Admin machinery shared by the content apps."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import router
from reversion.admin import VersionAdmin

from .conflicts import TOKEN_FIELD, ConflictCheckedForm
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


class ConflictCheckedAdmin(admin.ModelAdmin):
    """A change form that never saves over changes made since it was opened: it carries
    the version it was opened on and refuses a stale save, saying who changed what
    (core.conflicts). The add form has nothing to check."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], TOKEN_FIELD]}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "fields" in kwargs:
            fields = kwargs.pop("fields")
        else:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            # The token is the form's own field, not the model's.
            fields = [name for name in fields if name != TOKEN_FIELD]
        form = super().get_form(request, obj, change=change, fields=fields, **kwargs)
        if obj is None or not self.has_change_permission(request, obj):
            return form
        return type(form.__name__, (ConflictCheckedForm, form), {})
