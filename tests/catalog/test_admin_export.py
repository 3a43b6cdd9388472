"""Exporting the catalog from the admin (chief editors): JSON, a ZIP with the photos, CSV."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.admin_io import ExportForm
from catalog.io import dumps, export_catalog, import_catalog
from catalog.io.export import spreadsheet_safe
from catalog.models import Device, DevicePhoto, ImportJob, SpecValue
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecValueFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:catalog_device_export")


@pytest.fixture
def shelf():
    """Two phones (one powered by a chipset) and a laptop, with values; one phone has a
    photo."""
    phones = CategoryFactory(name="Phones", slug="phones")
    laptops = CategoryFactory(name="Laptops", slug="laptops")
    chipsets = CategoryFactory(name="Chipsets", slug="chipsets")
    battery = SpecFieldFactory(name="Battery capacity", unit="mAh", kind="number")
    battery.categories.set([phones, laptops])
    chip = DeviceFactory(name="Chip X", slug="chip-x", category=chipsets)
    one = DeviceFactory(
        name="Phone One", slug="phone-one", category=phones, powered_by=chip, launch_price=499
    )
    two = DeviceFactory(name="Phone Two", slug="phone-two", category=phones)
    book = DeviceFactory(name="Book", slug="book", category=laptops)
    SpecValueFactory(device=one, field=battery, value="4700 mAh", number=4700)
    SpecValueFactory(device=two, field=battery, value="=HYPERLINK(1)", number=None)
    SpecValueFactory(device=book, field=battery, value="70000 mAh", number=70000)
    photo = DevicePhoto(device=one, order=0, alt="Front")
    photo.store(io.BytesIO(image_bytes()), "front.jpg")
    photo.save()
    DevicePhoto.objects.refresh_main([one.pk])
    return {"phones": phones, "one": one, "two": two, "book": book, "chip": chip}


def slugs(data):
    return sorted(device["slug"] for device in data["devices"])


def wipe_devices():
    SpecValue.objects.all().delete()
    DevicePhoto.objects.all().delete()
    Device.objects.update(powered_by=None)
    Device.objects.all().delete()


def test_the_whole_catalog_exports_as_the_command_writes_it(chief_editor_client, shelf):
    response = chief_editor_client.get(EXPORT_URL, {"format": "json", "category": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="specwise-catalog-')
    assert response.content.decode() == dumps(export_catalog())


def test_a_category_exports_with_the_devices_it_is_powered_by_and_imports_back(
    chief_editor_client, shelf
):
    response = chief_editor_client.get(
        EXPORT_URL, {"format": "json", "category": shelf["phones"].pk}
    )
    data = json.loads(response.content)
    assert slugs(data) == ["chip-x", "phone-one", "phone-two"]
    before = [d for d in export_catalog()["devices"] if d["slug"] != "book"]
    for device in before:
        device.pop("images", None)  # the JSON alone carries no photo files
    wipe_devices()
    for device in data["devices"]:
        device.pop("images", None)
    import_catalog(data)
    assert export_catalog()["devices"] == before


def test_a_zip_holds_the_json_and_the_photos_and_imports_back_in_the_admin(
    chief_editor_client, shelf
):
    before = export_catalog()
    response = chief_editor_client.get(EXPORT_URL, {"format": "zip"})
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert json.loads(archive.read("catalog.json")) == before
    assert "photos/phone-one/1.jpg" in names
    wipe_devices()
    chief_editor_client.post(
        reverse("admin:catalog_device_import"),
        {"file": SimpleUploadedFile("specwise.zip", content)},
    )
    job = ImportJob.objects.get()
    chief_editor_client.post(reverse("admin:catalog_device_import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert export_catalog() == before
    assert DevicePhoto.objects.get().alt == "Front"


def test_csv_has_a_row_a_device_and_a_column_a_field(chief_editor_client, shelf):
    response = chief_editor_client.get(EXPORT_URL, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "name",
        "slug",
        "brand",
        "category",
        "released",
        "status",
        "launch_price",
        "Battery capacity",
    ]
    by_slug = {row[1]: row for row in rows[1:]}
    assert sorted(by_slug) == ["book", "chip-x", "phone-one", "phone-two"]
    one = by_slug["phone-one"]
    assert one[2] == shelf["one"].brand.name and one[3] == "Phones"
    assert one[4] == (shelf["one"].released_iso or "") and one[6] == "499"
    assert one[5] == shelf["one"].status
    assert one[7] == "4700 mAh"
    assert by_slug["phone-two"][7] == "'=HYPERLINK(1)"
    assert by_slug["chip-x"][7] == ""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-5", "-5"),
        ("-x", "'-x"),
        ("4700 mAh", "4700 mAh"),
        ("", ""),
    ],
)
def test_a_spreadsheet_never_runs_a_cell_as_a_formula(text, shown):
    assert spreadsheet_safe(text) == shown


def test_export_selected_devices_asks_the_format_then_sends_them(chief_editor_client, shelf):
    picked = [shelf["one"].pk, shelf["book"].pk]
    page = chief_editor_client.post(
        reverse("admin:catalog_device_changelist"),
        {"action": "export_selected", "_selected_action": picked},
    )
    assert page.status_code == 200
    assert "2 devices chosen" in page.text
    for pk in picked:
        assert f'<input type="hidden" name="_selected_action" value="{pk}">' in page.text
    response = chief_editor_client.post(EXPORT_URL, {"_selected_action": picked, "format": "json"})
    assert slugs(json.loads(response.content)) == ["book", "chip-x", "phone-one"]
    assert "specwise-devices-" in response["Content-Disposition"]


def test_a_json_export_too_big_to_build_says_so(chief_editor_client, shelf, monkeypatch):
    from catalog import admin_io

    monkeypatch.setattr(admin_io, "EXPORT_MAX_DEVICES", 2)
    response = chief_editor_client.get(EXPORT_URL, {"format": "json"})
    assert response.status_code == 200
    assert "More than 2 devices: export them a category at a time, or as CSV." in response.text
    assert chief_editor_client.get(EXPORT_URL, {"format": "csv"}).status_code == 200


def test_the_export_page_shows_the_form_and_bad_choices_are_errors(chief_editor_client, shelf):
    page = chief_editor_client.get(EXPORT_URL)
    assert page.status_code == 200 and "Every category" in page.text
    for label in ExportForm.FORMATS.values():
        assert label in page.text
    bad = chief_editor_client.get(EXPORT_URL, {"format": "xls", "category": "nope"})
    assert bad.status_code == 200 and "errorlist" in bad.text
    odd = chief_editor_client.post(
        EXPORT_URL, {"_selected_action": ["x", "1e9", "9" * 30], "format": "json"}
    )
    assert odd.status_code == 200 and json.loads(odd.content)["devices"] == []
