"""Import and export of the catalog in the admin, for chief editors (core.import_catalog).

Mixed into the device admin: "Import a catalog" uploads a file, the worker checks it (a dry
run) and, once confirmed, imports it (catalog.imports); "Export" downloads a category, the
whole catalog or the devices chosen in the list, as JSON, a ZIP with the photos, or CSV.
"""

import csv
import tempfile

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import imports
from .io import dumps, export_catalog
from .io.export import csv_rows, export_zip, exported_devices
from .models import Category, Device, ImportJob

IMPORT_PERMISSION = "core.import_catalog"
# JSON and ZIP exports are built whole before they are sent: this many devices at most
# (a category at a time beyond it). CSV is written as it goes and has no limit.
EXPORT_MAX_DEVICES = 60_000
RECENT_JOBS = 10


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Catalog file",
        help_text="The catalog JSON, or a ZIP holding it and its photos (photos/…).",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.zip"}),
    )
    reject_outliers = forms.BooleanField(
        required=False,
        label="Refuse the whole file if a value is outside its field's plausible range",
    )


class ExportForm(forms.Form):
    FORMATS = {
        "json": "JSON (the import format, without photos)",
        "zip": "ZIP: the JSON and the photos",
        "csv": "CSV for a spreadsheet (one row a device)",
    }
    category = forms.ModelChoiceField(
        Category.objects.all(), required=False, empty_label="Every category"
    )
    format = forms.ChoiceField(choices=FORMATS, widget=forms.RadioSelect, initial="json")


class CatalogIOAdmin:
    """For the device admin: the import and export pages, the "Export selected devices"
    action and the changelist's links to both."""

    def has_import_catalog_permission(self, request):
        return request.user.has_perm(IMPORT_PERMISSION)

    def _url_name(self, suffix):
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name=self._url_name("import")),
            path(
                "import/<int:job_id>/",
                wrap(self.import_job_view),
                name=self._url_name("import_job"),
            ),
            path(
                "import/<int:job_id>/run/",
                wrap(self.import_run_view),
                name=self._url_name("import_run"),
            ),
            path("export/", wrap(self.export_view), name=self._url_name("export")),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = dict(extra_context or {})
        if self.has_import_catalog_permission(request):
            site = self.admin_site.name
            context["import_url"] = reverse(f"{site}:{self._url_name('import')}")
            context["export_url"] = reverse(f"{site}:{self._url_name('export')}")
        return super().changelist_view(request, context)

    def _context(self, request, title, **extra):
        """The page's context; PermissionDenied unless the user may import and export."""
        if not self.has_import_catalog_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            **extra,
        }

    # Import.

    def import_view(self, request):
        """The upload form (GET); an upload (POST) is kept and its check queued."""
        context = self._context(request, "Import a catalog")
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = imports.receive(
                    form.cleaned_data["file"],
                    user=request.user,
                    reject_outliers=form.cleaned_data["reject_outliers"],
                )
            except imports.UploadRefused as refused:
                form.add_error("file", str(refused))
            else:
                return redirect(job)
        context.update(form=form, jobs=ImportJob.objects.select_related("created_by")[:RECENT_JOBS])
        return TemplateResponse(request, "admin/catalog/device/import.html", context)

    def import_job_view(self, request, job_id):
        """What became of an upload: waiting, progress, the summary, or every problem."""
        context = self._context(request, "Import a catalog")
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        job = get_object_or_404(ImportJob, pk=job_id)
        context.update(
            job=job,
            title=str(job),
            import_url=reverse(f"{self.admin_site.name}:{self._url_name('import')}"),
            run_url=reverse(
                f"{self.admin_site.name}:{self._url_name('import_run')}", args=[job.pk]
            ),
            waiting=timezone.now() - job.created_at,
        )
        return TemplateResponse(request, "admin/catalog/device/import_job.html", context)

    def import_run_view(self, request, job_id):
        """Confirm (POST): the checked file is imported by the worker."""
        self._context(request, "Import a catalog")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = get_object_or_404(ImportJob, pk=job_id)
        if not imports.confirm(job):
            self.message_user(
                request, "That file is not waiting to be imported.", level=messages.WARNING
            )
        return redirect(job)

    # Export.

    def export_view(self, request):
        """The export form (GET); with a format, the file. A POST comes from the "Export
        selected devices" action, with the chosen devices."""
        context = self._context(request, "Export the catalog")
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        chosen = None
        if request.method == "POST":
            ids = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            chosen = Device.objects.filter(pk__in=_device_ids(ids))
        data = request.POST if request.method == "POST" else request.GET
        form = ExportForm(data if "format" in data else None)
        if form.is_valid():
            devices = chosen
            category = form.cleaned_data["category"]
            if chosen is None and category is not None:
                devices = Device.objects.filter(category=category)
            name = _export_name(category if chosen is None else None, chosen is not None)
            answer = _export(form.cleaned_data["format"], devices, name)
            if answer is not None:
                return answer
            form.add_error(
                None,
                f"More than {EXPORT_MAX_DEVICES:,} devices: export them a category at a "
                "time, or as CSV.",
            )
        context.update(form=form, chosen=chosen)
        return TemplateResponse(request, "admin/catalog/device/export.html", context)

    @admin.action(description="Export selected devices", permissions=["import_catalog"])
    def export_selected(self, request, queryset):
        context = self._context(
            request,
            "Export selected devices",
            form=ExportForm(),
            chosen=queryset,
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )
        return TemplateResponse(request, "admin/catalog/device/export.html", context)


def _device_ids(values):
    """The posted values that can be device keys; the others (a hand-made form) are left
    out, never sent to the database (SQLite refuses an integer over 64 bits)."""
    low, high = connection.ops.integer_field_range(Device._meta.pk.get_internal_type())
    return [int(value) for value in values if value.isdigit() and low <= int(value) <= high]


def _export_name(category, chosen):
    stamp = timezone.localdate().isoformat()
    what = "devices" if chosen else (category.slug if category else "catalog")
    return f"specwise-{what}-{stamp}"


def _export(kind, devices, name):
    """The download, or None when a JSON or ZIP export would hold too many devices."""
    if kind == "csv":
        return _csv_response(devices, name)
    if exported_devices(devices).count() > EXPORT_MAX_DEVICES:
        return None
    if kind == "zip":
        # On disk, not in memory: photos add up. FileResponse closes it once sent.
        file = tempfile.TemporaryFile()  # noqa: SIM115
        export_zip(file, devices)
        file.seek(0)
        return FileResponse(file, as_attachment=True, filename=f"{name}.zip")
    response = HttpResponse(
        dumps(export_catalog(devices)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


class _Echo:
    """A file-like object csv.writer writes to, handing each line back."""

    def write(self, line):
        return line


def _csv_response(devices, name):
    writer = csv.writer(_Echo())
    lines = (writer.writerow(row) for row in csv_rows(devices))
    response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _with_bom(lines):
    """A byte-order mark first, so that a spreadsheet reads the file as UTF-8."""
    yield "\ufeff"
    yield from lines
