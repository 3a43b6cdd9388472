"""Admin machinery shared by the content apps."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.db import router
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from .conflicts import TOKEN_FIELD, ConflictCheckedForm
from .content import content_changed
from .history import History, RestoreError, when


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


class RevisionHistoryAdmin(VersionedContentAdmin):
    """A versioned admin whose History page says what each revision changed, old → new,
    and restores one (core.history): ``history`` is the History class of its model.

    Restoring brings back only this object and its parts, never the rest of a revision (an
    import's revision holds every device it changed): reversion's own revision page, which
    reverts a whole revision, sends here instead.
    """

    history = History
    object_history_template = "admin/revision_history.html"

    def get_urls(self):
        opts = self.model._meta
        restore = path(
            "<path:object_id>/history/<int:version_id>/restore/",
            self.admin_site.admin_view(self.restore_view),
            name=f"{opts.app_label}_{opts.model_name}_restore",
        )
        return [restore, *super().get_urls()]

    def _history_url(self, object_id):
        opts = self.model._meta
        name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history"
        return reverse(name, args=[quote(object_id)])

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            # Django's answer: back to the list with a message, or refused.
            return super().history_view(request, object_id, extra_context)
        page, rows = self.history(obj).page(request.GET.get(PAGE_VAR))
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "module_name": capfirst(opts.verbose_name_plural),
            "rows": rows,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "page_var": PAGE_VAR,
            "can_restore": self.has_change_permission(request, obj),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def restore_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        history = self.history(obj)
        version = get_object_or_404(history.versions(), pk=version_id)
        try:
            notes = history.restore(version, request.user)
        except RestoreError as error:
            messages.error(request, str(error))
        else:
            restored = f"Restored the version of {when(version.revision.date_created)}."
            self.log_change(request, obj, restored)
            messages.success(request, restored)
            for note in notes:
                messages.warning(request, note)
        return redirect(self._history_url(obj.pk))

    def revision_view(self, request, object_id, version_id, extra_context=None):
        return redirect(self._history_url(unquote(object_id)))
