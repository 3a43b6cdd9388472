"""Catalog imports in the admin: an uploaded file is kept in a private folder, checked by
a dry run, then imported, each as a task run by the worker (``manage.py db_worker``); an
``ImportJob`` row carries what the page shows.

A ZIP (the catalog JSON and its photos) is unpacked here, refusing whatever could write
outside its folder or fill the disk: absolute paths, "..", links, too many files, too many
bytes once unpacked.
"""

import logging
import shutil
import stat
import threading
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connection
from django.tasks import task
from django.utils import timezone

from .io import CatalogError, import_catalog, parse_json
from .models import ImportJob

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# The command's limit: far above any real catalog (6,258 devices are 7 MB).
MAX_JSON_BYTES = 200 * MB
# A ZIP holds the photos too: a few per device, at most images.MAX_BYTES each.
MAX_ZIP_BYTES = 2048 * MB
MAX_ZIP_FILES = 200_000
MAX_UNPACKED_BYTES = 4096 * MB
# A check never confirmed keeps its file this long.
KEEP_UNCONFIRMED = timedelta(days=1)
COPY_CHUNK = MB


class UploadRefused(Exception):
    """The upload cannot be imported; the message says why, for the editor."""


def folder_of(job):
    return Path(settings.IMPORT_ROOT) / job.folder


def receive(upload, *, user, reject_outliers=False):
    """Keep ``upload`` (a catalog .json, or a .zip holding one and its photos) in a new
    folder and queue its check; the new ImportJob. UploadRefused if it cannot be used."""
    name = PurePosixPath(upload.name or "").name or "catalog"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in (".json", ".zip"):
        raise UploadRefused(f"{name}: upload a catalog .json, or a .zip with it and its photos.")
    limit = MAX_JSON_BYTES if suffix == ".json" else MAX_ZIP_BYTES
    if upload.size > limit:
        raise UploadRefused(f"{name} is larger than {limit // MB} MB.")
    discard_stale_uploads()
    folder = uuid.uuid4().hex
    target = Path(settings.IMPORT_ROOT) / folder
    target.mkdir(parents=True)
    try:
        if suffix == ".json":
            with (target / "catalog.json").open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            path = "catalog.json"
        else:
            path = unpack_zip(upload, target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    job = ImportJob.objects.create(
        source=name[: ImportJob._meta.get_field("source").max_length],
        folder=folder,
        path=path,
        reject_outliers=reject_outliers,
        created_by=user,
    )
    run_import_job.enqueue(job.pk)
    return job


def confirm(job):
    """Queue the import of a checked file; False if it is not waiting for that (already
    confirmed, say by a second click)."""
    ready = ImportJob.objects.filter(
        pk=job.pk, dry_run=True, status=ImportJob.Status.DONE, error=""
    ).exclude(folder="")
    started = ready.update(dry_run=False, status=ImportJob.Status.QUEUED, done=0, finished_at=None)
    if started:
        run_import_job.enqueue(job.pk)
    return bool(started)


def unpack_zip(upload, target):
    """Unpack the ZIP ``upload`` into ``target``; the path of its one .json file. Everything
    is checked before a byte is written; sizes are counted as they are unpacked, not taken
    from the archive's word."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused("This is not a ZIP file (or it is damaged).") from None
    with archive:
        members = [member for member in archive.infolist() if not member.is_dir()]
        if len(members) > MAX_ZIP_FILES:
            raise UploadRefused(
                f"The ZIP holds {len(members):,} files; at most {MAX_ZIP_FILES:,} are taken."
            )
        for member in archive.infolist():
            _check_member(member)
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise UploadRefused(_too_big_unpacked())
        catalogs = [
            member.filename
            for member in members
            if member.filename.lower().endswith(".json")
            and not member.filename.startswith("__MACOSX/")
        ]
        if len(catalogs) != 1:
            found = "no .json file" if not catalogs else f"{len(catalogs)} .json files"
            raise UploadRefused(f"The ZIP must hold one catalog .json file; it holds {found}.")
        if len(catalogs[0]) > ImportJob._meta.get_field("path").max_length:
            raise UploadRefused(f"The catalog's path in the ZIP is too long ({catalogs[0]!r}).")
        unpacked = 0
        for member in members:
            unpacked = _unpack(archive, member, target, unpacked)
    return catalogs[0]


def _check_member(member):
    """UploadRefused for a name that would land outside the folder, or for a link."""
    name = member.filename
    parts = PurePosixPath(name).parts
    if (
        name.startswith("/")
        or "\\" in name
        or ".." in parts
        or (parts and ":" in parts[0])
        or "\x00" in name
    ):
        raise UploadRefused(f"The ZIP names a file outside its folder ({name!r}): refused.")
    if stat.S_ISLNK(member.external_attr >> 16):
        raise UploadRefused(f"The ZIP holds a link ({name!r}): refused.")


def _unpack(archive, member, target, unpacked):
    destination = target / member.filename
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open(member) as source, destination.open("wb") as out:
            while chunk := source.read(COPY_CHUNK):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED_BYTES:
                    raise UploadRefused(_too_big_unpacked())
                out.write(chunk)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
        # RuntimeError: an encrypted file; NotImplementedError: an unknown compression.
        raise UploadRefused(f"{member.filename}: cannot be unpacked ({error}).") from None
    return unpacked


def _too_big_unpacked():
    return f"The ZIP unpacks to more than {MAX_UNPACKED_BYTES // MB:,} MB: refused."


def discard_stale_uploads():
    """Delete the files of checks never confirmed and of imports that ended without
    deleting theirs (a worker stopped mid-way)."""
    stale = ImportJob.objects.filter(created_at__lt=timezone.now() - KEEP_UNCONFIRMED).exclude(
        folder=""
    )
    for job in stale.exclude(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]):
        shutil.rmtree(folder_of(job), ignore_errors=True)
        ImportJob.objects.filter(pk=job.pk).update(folder="")


@task
def run_import_job(job_id):
    """Check or import (``job.dry_run``) the job's file, keeping the job up to date."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ImportJob.objects.get(pk=job_id)
    try:
        data = _read(job)
        devices = data.get("devices") if isinstance(data, dict) else None
        job.total = len(devices) if isinstance(devices, list) else 0
        job.save(update_fields=["total"])
        result = import_catalog(
            data,
            dry_run=job.dry_run,
            base_dir=folder_of(job) / PurePosixPath(job.path).parent,
            reject_outliers=job.reject_outliers,
            source=job.source,
            progress=None if job.dry_run else progress_saver(job.pk),
        )
    except CatalogError as exc:
        _finish(job, ImportJob.Status.FAILED, error=exc.errors)
    except BaseException:
        # An error of ours, or the worker told to stop at once (a second Ctrl+C).
        logger.exception("Import job %s stopped", job_id)
        _finish(
            job,
            ImportJob.Status.FAILED,
            error=["The worker stopped on an error or was stopped (logged); nothing was written."],
        )
        raise
    else:
        devices = result.devices_new + len(result.devices_updated) + result.devices_unchanged
        job.done = job.total = devices
        _finish(job, ImportJob.Status.DONE, summary=result.report())
    finally:
        if not job.dry_run:
            shutil.rmtree(folder_of(job), ignore_errors=True)
            job.folder = ""
            job.save(update_fields=["folder"])


def _read(job):
    path = folder_of(job) / job.path
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise CatalogError([f"{job.path} is larger than {MAX_JSON_BYTES // MB} MB"])
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError([f"{job.path} is not UTF-8 text"]) from None
    except OSError as error:
        raise CatalogError([f"{job.path} cannot be read ({error.strerror or error})"]) from None
    return parse_json(text)


def _finish(job, status, summary=(), error=()):
    job.status = status
    job.summary = "\n".join(summary)
    job.error = "\n".join(error)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "summary", "error", "finished_at", "total", "done"])


def progress_saver(job_id):
    """``progress(done, total)`` for the importer, saving the count on a connection of its
    own (a thread has its own): the import holds one transaction until it ends, and the
    job's page must see the count before that. SQLite lets one connection write at a time,
    so there the count is saved only when the import ends."""
    if connection.vendor == "sqlite":
        return None

    def save(done, total):
        def update():
            try:
                ImportJob.objects.filter(pk=job_id).update(done=done, total=total)
            except DatabaseError:
                logger.warning("Could not save the progress of import job %s", job_id)
            finally:
                connection.close()

        thread = threading.Thread(target=update)
        thread.start()
        thread.join()

    return save
