"""Admin machinery shared by the content apps."""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from .conflicts import TOKEN_FIELD, ConflictCheckedForm, with_token
from .content import content_changed
from .history import History, RestoreError, save_revision, when


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

    def get_object_queryset(self, request):
        """Where get_object finds the object: a subclass may read related rows with it."""
        return self.get_queryset(request)

    def get_object(self, request, object_id, from_field=None):
        """Django's lookup, with the object's token read in the same query. A post inside a
        transaction (a save, a preview) also locks the row, which the form's conflict
        check then needs not read or lock again (core.conflicts)."""
        queryset = self.get_object_queryset(request)
        lock = request.method == "POST" and transaction.get_connection(queryset.db).in_atomic_block
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            obj = with_token(queryset, lock=lock).get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None
        obj.token_locked = lock
        return obj

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


def saved_rows(formset):
    """The rows an inline ``formset`` holds after its save: those it was opened with (as
    saved, in their order) but the deleted, then the new. Read again only when it had
    none to validate (a device without photos): one query."""
    gone = {obj.pk for obj in [*formset.deleted_objects, *formset.new_objects]}
    kept = [row for row in formset.get_queryset() if row.pk not in gone]
    return [*kept, *formset.new_objects]


class FormRevisionAdmin(RevisionHistoryAdmin):
    """A versioned admin whose add and change forms write their revision themselves, from
    what they have just saved: the object and, for each inline of a model its revisions
    follow (its parts: a device's spec values and photos), the rows the inline now holds.

    Reversion's own revision would read those parts again after the save (a query per
    relation it follows), look each model's rows up once more before writing, and open a
    transaction of its own around Django's (a savepoint more). This one is written inside
    Django's transaction of the save, in the same format (core.history.save_revision), so
    History, restores and the conflict check read it like any other. ``revision_parts``
    are the models of the relations the model's revisions follow; each must be an inline
    of the admin (tests/catalog/test_admin_save.py holds the device's revision equal to the
    one reversion would keep).
    """

    revision_parts = ()

    # Django's views and transaction, without the revision VersionAdmin opens around them
    # (nothing else between this class and ModelAdmin has these views).

    def add_view(self, request, form_url="", extra_context=None):
        return admin.ModelAdmin.add_view(self, request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin.ModelAdmin.change_view(self, request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        parts = [
            row
            for formset in formsets
            if formset.model in self.revision_parts
            for row in saved_rows(formset)
        ]
        # Written when the change is logged, with the log's message as its comment.
        form.instance.revision_rows = [form.instance, *parts]

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._save_form_revision(request, obj, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._save_form_revision(request, obj, entry)
        return entry

    def _save_form_revision(self, request, obj, entry):
        rows = obj.__dict__.pop("revision_rows", None)
        if rows is None or reversion.is_active():
            # Logged by another view (a restore writes its own revision), or saved inside
            # a revision reversion keeps (its recover view): it holds the rows already.
            return
        comment = entry.get_change_message() if entry else ""
        save_revision(rows, comment=comment, user=request.user)
