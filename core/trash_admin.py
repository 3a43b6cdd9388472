"""The trash in the admin (core.trash): deletes that keep a revision first, and a Trash page
per model where chief editors restore an entry or delete it for good."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .pagination import paginate
from .trash import (
    DELETE_FOR_GOOD_PERMISSION,
    RESTORE_PERMISSION,
    CannotRestore,
    delete_for_good,
    record_deletion,
    restore,
    trash,
)

TRASH_PER_PAGE = 50


def _to_trash(modeladmin, request, queryset):
    """Django's "delete selected", with what the deletion changes on its confirmation."""
    response = delete_selected(modeladmin, request, queryset)
    if response is not None:
        response.context_data["deletion_notes"] = modeladmin.deletion_notes(request, queryset)
    return response


class TrashAdmin:
    """Mixed into a VersionAdmin (core.admin.VersionedContentAdmin): a delete (the delete
    page, "delete selected") first saves a revision of what goes (core.trash); the
    changelist links to the model's Trash (reversion's recover list, at ``recover/``) for
    those with core.restore_from_trash, where an entry is restored or deleted for good."""

    change_list_template = "admin/trash/change_list.html"
    delete_confirmation_template = "admin/trash/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/trash/delete_selected_confirmation.html"

    def delete_model(self, request, obj):
        record_deletion([obj], request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        record_deletion(list(queryset), request.user)
        super().delete_queryset(request, queryset)

    def deletion_notes(self, request, objects):
        """Sentences for the delete confirmation: what else deleting ``objects`` (a queryset
        or a list) changes."""
        if len(objects) == 1:
            return ["It goes to the trash: a chief editor can restore it."]
        return ["They go to the trash: a chief editor can restore them."]

    def delete_view(self, request, object_id, extra_context=None):
        context = dict(extra_context or {})
        if request.method != "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                context["deletion_notes"] = self.deletion_notes(request, [obj])
        return super().delete_view(request, object_id, context)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if "delete_selected" in actions:
            actions["delete_selected"] = replace(actions["delete_selected"], func=_to_trash)
        return actions

    def _trash_url(self, name="recoverlist", *args):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )

    def changelist_view(self, request, extra_context=None):
        context = dict(extra_context or {})
        if request.user.has_perm(RESTORE_PERMISSION):
            context["trash_url"] = self._trash_url()
            context["trash_count"] = trash(self.model).count()
        return super().changelist_view(request, context)

    def get_urls(self):
        delete_for_good = self.admin_site.admin_view(self.delete_for_good_view)
        return [
            path(
                "recover/<int:version_id>/delete/",
                delete_for_good,
                name=f"{self.opts.app_label}_{self.opts.model_name}_delete_for_good",
            ),
            *super().get_urls(),
        ]

    def _trash_context(self, request, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "trash_url": self._trash_url(),
        }

    def _entry(self, request, version_id):
        """The trash's entry ``version_id``, or None with a message (restored meanwhile, or
        never there)."""
        version = trash(self.model).filter(pk=version_id).first()
        if version is None:
            self.message_user(request, "That entry is not in the trash.", messages.WARNING)
        return version

    def recoverlist_view(self, request, extra_context=None):
        """The Trash: deleted objects newest first, who deleted them and when."""
        if not request.user.has_perm(RESTORE_PERMISSION):
            raise PermissionDenied
        page, notice = paginate(trash(self.model), request.GET.get("p"), TRASH_PER_PAGE)
        context = {
            **self._trash_context(request, f"Trash: deleted {self.opts.verbose_name_plural}"),
            "page": page,
            "notice": notice,
            "can_delete_for_good": request.user.has_perm(DELETE_FOR_GOOD_PERMISSION),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/trash/trash.html", context)

    def recover_view(self, request, version_id, extra_context=None):
        """Restore (POST): the entry comes back with everything its revision holds."""
        if not request.user.has_perm(RESTORE_PERMISSION):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = self._entry(request, version_id)
        if version is None:
            return redirect(self._trash_url())
        try:
            restored = restore(version, request.user)
        except CannotRestore as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(self._trash_url())
        self.log_addition(request, restored.object, "Restored from the trash.")
        self.message_user(request, restored.message, messages.SUCCESS)
        return redirect(self._trash_url("change", restored.object.pk))

    def delete_for_good_view(self, request, version_id):
        """Delete for good: asks first (GET), then removes the entry's versions (POST)."""
        if not request.user.has_perm(DELETE_FOR_GOOD_PERMISSION):
            raise PermissionDenied
        version = self._entry(request, version_id)
        if version is None:
            return redirect(self._trash_url())
        if request.method == "POST":
            try:
                delete_for_good(version)
            except CannotRestore as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request, f"“{version.object_repr}” was deleted for good.", messages.SUCCESS
                )
            return redirect(self._trash_url())
        context = {
            **self._trash_context(request, f"Delete “{version.object_repr}” for good"),
            "version": version,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/trash/delete_for_good.html", context)
