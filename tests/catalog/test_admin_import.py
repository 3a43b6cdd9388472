"""Importing a catalog in the admin: upload, check (a dry run), import as a task, for chief
editors only. Tasks run as they are enqueued here (tests/conftest.py)."""

import io
import json
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import imports
from catalog.models import Brand, Device, DevicePhoto, ImportJob, SpecValue
from tests.factories import CategoryFactory, DeviceFactory, image_bytes

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:catalog_device_import")
BATTERY = {
    "group": "Battery",
    "name": "Battery capacity",
    "unit": "mAh",
    "kind": "number",
    "direction": "higher",
    "categories": ["Phones"],
}


def phone(slug, battery="4700 mAh", **extra):
    return {
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "brand": "Nothing",
        "category": "Phones",
        "specs": {"Battery capacity": battery},
        **extra,
    }


def catalog_json(*devices):
    data = {"categories": [{"name": "Phones"}], "fields": [BATTERY], "devices": list(devices)}
    return json.dumps(data).encode()


def upload(client, content, name="catalog.json", **data):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), **data})


def zip_bytes(files, links=()):
    """A ZIP of {name: bytes}; ``links`` are names stored as symbolic links."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.fixture
def phones():
    return CategoryFactory(name="Phones")


def test_an_upload_is_checked_and_the_summary_shown_with_nothing_written(
    chief_editor_client, phones
):
    response = upload(chief_editor_client, catalog_json(phone("a-one"), phone("a-two")))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = chief_editor_client.get(job.get_absolute_url())
    assert job.status == ImportJob.Status.DONE and job.dry_run
    assert "Dry run, nothing written: 2 devices (2 new, 0 updated, 0 unchanged)" in (page.text)
    assert "New brands (1): Nothing" in page.text
    assert '<input type="submit" class="default" value="Import">' in page.text
    assert not Device.objects.exists() and not Brand.objects.exists()


def test_import_runs_the_task_and_the_job_page_shows_done_and_the_summary(
    chief_editor_client, phones
):
    upload(chief_editor_client, catalog_json(phone("a-one"), phone("a-two")))
    job = ImportJob.objects.get()
    folder = imports.folder_of(job)
    response = chief_editor_client.post(reverse("admin:catalog_device_import_run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and not job.dry_run
    assert (job.done, job.total) == (2, 2)
    assert set(Device.objects.values_list("slug", flat=True)) == {"a-one", "a-two"}
    assert SpecValue.objects.count() == 2
    page = chief_editor_client.get(job.get_absolute_url())
    assert "2 / 2 devices imported." in page.text
    assert '<progress max="2" value="2"' in page.text
    assert "Imported 2 devices (2 new, 0 updated, 0 unchanged)" in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert not folder.exists() and job.folder == ""


def test_a_second_confirmation_imports_nothing_more(chief_editor_client, phones):
    upload(chief_editor_client, catalog_json(phone("a-one")))
    job = ImportJob.objects.get()
    run = reverse("admin:catalog_device_import_run", args=[job.pk])
    chief_editor_client.post(run)
    response = chief_editor_client.post(run, follow=True)
    assert "That file is not waiting to be imported." in response.text
    assert Device.objects.count() == 1


def test_a_job_waiting_for_the_worker_reloads_itself(chief_editor_client, editor_client):
    job = ImportJob.objects.create(source="catalog.json", path="catalog.json", folder="x")
    page = chief_editor_client.get(job.get_absolute_url())
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert "Waiting for the worker" in page.text


def test_a_running_import_shows_how_many_devices_are_written(chief_editor_client):
    job = ImportJob.objects.create(
        source="catalog.json", dry_run=False, status="running", total=50_000, done=12_000
    )
    page = chief_editor_client.get(job.get_absolute_url())
    assert "12000 / 50000 devices written" in page.text
    assert '<progress max="50000" value="12000"' in page.text
    assert '<meta http-equiv="refresh" content="2">' in page.text


def test_a_zip_with_photos_imports_them(chief_editor_client, phones):
    data = catalog_json(phone("a-one", images=[{"path": "photos/a-one.jpg", "alt": "Front"}]))
    content = zip_bytes({"export/catalog.json": data, "export/photos/a-one.jpg": image_bytes()})
    upload(chief_editor_client, content, name="catalog.zip")
    job = ImportJob.objects.get()
    assert job.error == "" and "Photos: 1 new, 0 removed" in job.summary
    chief_editor_client.post(reverse("admin:catalog_device_import_run", args=[job.pk]))
    photo = DevicePhoto.objects.get()
    assert photo.device.slug == "a-one" and photo.alt == "Front"
    assert Device.objects.get().image


def test_a_bad_file_lists_every_problem_and_writes_nothing(chief_editor_client, phones):
    bad = catalog_json(
        phone("a-one", battery="lots"),
        phone("a-two", specs={"Unknown": "1"}),
        {"slug": "a-three"},
    )
    upload(chief_editor_client, bad)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    page = chief_editor_client.get(job.get_absolute_url())
    problems = job.error_lines
    assert len(problems) >= 3
    for problem in problems:
        assert f"<li>{problem}</li>".replace("'", "&#x27;").replace('"', "&quot;") in page.text
    assert "a-three" in job.error and "Unknown" in job.error
    assert '<input type="submit" class="default" value="Import">' not in page.text
    response = chief_editor_client.post(reverse("admin:catalog_device_import_run", args=[job.pk]))
    assert response.status_code == 302
    assert not Device.objects.exists() and not Brand.objects.exists()


def test_a_file_that_is_not_json_says_where(chief_editor_client):
    upload(chief_editor_client, b'{"devices": [')
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.error.startswith("invalid JSON")


def test_outliers_can_refuse_the_file(chief_editor_client, phones):
    phones.kind = "phone"
    phones.save()
    field = dict(BATTERY, plausible={"phone": [1000, 10000]})
    data = json.dumps({"fields": [field], "devices": [phone("a-one", battery="50 mAh")]}).encode()
    upload(chief_editor_client, data, reject_outliers="on")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "Outlier: a-one" in job.error


@pytest.mark.parametrize(
    ("files", "links", "message"),
    [
        ({"../evil.json": b"{}"}, (), "outside its folder"),
        ({"/etc/evil.json": b"{}"}, (), "outside its folder"),
        ({"a/../../evil.json": b"{}"}, (), "outside its folder"),
        ({"catalog.json": b"{}"}, ("photos/link.jpg",), "link"),
        ({"photos/a.jpg": b"x"}, (), "no .json file"),
        ({"a.json": b"{}", "b.json": b"{}"}, (), "2 .json files"),
        ({"a" * 300 + "/catalog.json": b"{}"}, (), "too long"),
    ],
)
def test_a_hostile_or_unusable_zip_is_refused(chief_editor_client, settings, files, links, message):
    response = upload(chief_editor_client, zip_bytes(files, links), name="catalog.zip")
    assert response.status_code == 200
    assert message in response.text
    assert not ImportJob.objects.exists()
    root = settings.IMPORT_ROOT
    assert not root.exists() or not any(root.iterdir())


def test_a_zip_bomb_is_refused_by_what_it_unpacks_to(chief_editor_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1000)
    # Declared sizes can lie: the bytes are counted as they come out.
    content = zip_bytes({"catalog.json": b"{}", "photos/big.jpg": b"\0" * 5000})
    response = upload(chief_editor_client, content, name="catalog.zip")
    assert "unpacks to more than" in response.text
    assert not ImportJob.objects.exists()


def test_a_zip_with_too_many_files_is_refused(chief_editor_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ZIP_FILES", 3)
    files = {"catalog.json": b"{}", **{f"photos/{i}.jpg": b"x" for i in range(3)}}
    response = upload(chief_editor_client, zip_bytes(files), name="catalog.zip")
    assert "holds 4 files; at most 3 are taken" in response.text


def test_a_file_that_is_not_a_zip_or_json_is_refused(chief_editor_client):
    response = upload(chief_editor_client, b"PK\x03\x04 broken", name="catalog.zip")
    assert "This is not a ZIP file" in response.text
    response = upload(chief_editor_client, b"a,b", name="catalog.csv")
    assert "upload a catalog .json" in response.text
    assert not ImportJob.objects.exists()


def test_a_zip_bomb_by_its_declared_size_is_refused_before_unpacking(
    chief_editor_client, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 100)
    content = zip_bytes({"catalog.json": b" " * 200})
    response = upload(chief_editor_client, content, name="catalog.zip")
    assert "unpacks to more than" in response.text


def test_a_check_never_confirmed_loses_its_file_after_a_day(chief_editor_client, phones):
    upload(chief_editor_client, catalog_json(phone("a-one")))
    job = ImportJob.objects.get()
    folder = imports.folder_of(job)
    ImportJob.objects.update(created_at=job.created_at - imports.KEEP_UNCONFIRMED * 2)
    upload(chief_editor_client, catalog_json(phone("a-two")))
    job.refresh_from_db()
    assert job.folder == "" and not folder.exists()
    page = chief_editor_client.get(job.get_absolute_url())
    assert "too old to import" in page.text


def test_the_device_list_links_to_import_and_export_for_chief_editors(
    chief_editor_client, editor_client
):
    DeviceFactory()  # actions show only above a list of devices
    changelist = reverse("admin:catalog_device_changelist")
    chief = chief_editor_client.get(changelist).text
    assert f'href="{IMPORT_URL}"' in chief
    assert f'href="{reverse("admin:catalog_device_export")}"' in chief
    assert "Export selected devices" in chief
    editor = editor_client.get(changelist).text
    assert IMPORT_URL not in editor and "Export selected devices" not in editor


def test_an_editor_is_refused_every_import_and_export_page(editor_client, phones):
    job = ImportJob.objects.create(source="catalog.json", path="catalog.json")
    device = DeviceFactory()
    run = reverse("admin:catalog_device_import_run", args=[job.pk])
    export = reverse("admin:catalog_device_export")
    assert editor_client.get(IMPORT_URL).status_code == 403
    assert upload(editor_client, catalog_json(phone("a-one"))).status_code == 403
    assert editor_client.get(job.get_absolute_url()).status_code == 403
    assert editor_client.post(run).status_code == 403
    assert editor_client.get(export, {"format": "json"}).status_code == 403
    chosen = {"format": "csv", "_selected_action": [device.pk]}
    assert editor_client.post(export, chosen).status_code == 403
    action = editor_client.post(
        reverse("admin:catalog_device_changelist"),
        {"action": "export_selected", "_selected_action": [device.pk]},
    )
    assert action.status_code in (200, 302) and b"specwise-" not in action.content
    assert ImportJob.objects.count() == 1 and not Device.objects.exclude(pk=device.pk).exists()


def test_the_job_pages_answer_wrong_methods_and_unknown_jobs(chief_editor_client):
    job = ImportJob.objects.create(source="catalog.json", path="catalog.json")
    run = reverse("admin:catalog_device_import_run", args=[job.pk])
    unknown = reverse("admin:catalog_device_import_job", args=[999])
    assert chief_editor_client.get(run).status_code == 405
    assert chief_editor_client.post(job.get_absolute_url()).status_code == 405
    assert chief_editor_client.get(unknown).status_code == 404
    assert chief_editor_client.post(IMPORT_URL, {}).status_code == 200


def test_an_import_that_stops_on_an_error_says_so_and_writes_nothing(
    chief_editor_client, phones, monkeypatch
):
    upload(chief_editor_client, catalog_json(phone("a-one")))
    job = ImportJob.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(imports, "import_catalog", broken)
    chief_editor_client.post(reverse("admin:catalog_device_import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "nothing was written" in job.error
    assert "nothing was written" in chief_editor_client.get(job.get_absolute_url()).text
    assert not Device.objects.exists() and job.folder == ""


def test_a_job_number_too_big_for_the_database_is_not_found(chief_editor_client):
    huge = 10**30
    assert chief_editor_client.get(f"{IMPORT_URL}{huge}/").status_code == 404
    assert chief_editor_client.post(f"{IMPORT_URL}{huge}/run/").status_code == 404
