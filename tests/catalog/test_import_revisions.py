"""Every import leaves one revision holding what it created or updated, and nothing else."""

import json

import pytest
import reversion
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertInHTML
from reversion.models import Revision, Version

from catalog.io import import_catalog
from catalog.models import Device, DevicePhoto, SpecValue
from tests.catalog.test_import_export import PHONE, catalog
from tests.factories import CategoryFactory, image_bytes

pytestmark = pytest.mark.django_db

OTHER = {"name": "Other Phone", "slug": "other-phone", "brand": "Nothing", "category": "Phones"}


@pytest.fixture(autouse=True)
def phones():
    return CategoryFactory(name="Phones")


def held(revision):
    """{(model name, text)} of the versions ``revision`` holds."""
    return {(v.content_type.model, v.object_repr) for v in revision.version_set.all()}


def test_the_command_leaves_one_revision_named_after_the_file(tmp_path):
    path = tmp_path / "spring.json"
    path.write_text(json.dumps(catalog([PHONE, OTHER])))
    call_command("import_catalog", str(path))
    [revision] = Revision.objects.all()
    assert revision.comment == "imported from spring.json"
    assert revision.user is None
    assert held(revision) == {
        ("device", "Nothing Phone (2)"),
        ("device", "Other Phone"),
        ("specvalue", "Battery capacity: 4700 mAh"),
        ("specvalue", "IP rating: IP54"),
    }


def test_a_reimport_keeps_only_the_devices_it_changed(tmp_path):
    import_catalog(catalog([PHONE, OTHER]), source="first.json")
    changed = dict(PHONE, specs={**PHONE["specs"], "IP rating": "IP68"})
    import_catalog(catalog([changed, OTHER]), source="second.json")
    revision = Revision.objects.get(comment="imported from second.json")
    # The changed device with every value it has (a revision holds it whole), not the other.
    assert held(revision) == {
        ("device", "Nothing Phone (2)"),
        ("specvalue", "Battery capacity: 4700 mAh"),
        ("specvalue", "IP rating: IP68"),
    }
    import_catalog(catalog([changed, OTHER]), source="third.json")
    assert not Revision.objects.filter(comment="imported from third.json").exists()


def test_a_dry_run_leaves_no_revision(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog([PHONE])))
    call_command("import_catalog", str(path), "--dry-run")
    import_catalog(catalog([PHONE]), dry_run=True)
    assert not Revision.objects.exists()


def test_the_import_function_names_its_source_or_none():
    import_catalog(catalog([PHONE]), source="feed.json")
    import_catalog(catalog([dict(PHONE, name="Phone (2)")]))
    comments = list(Revision.objects.order_by("pk").values_list("comment", flat=True))
    assert comments == ["imported from feed.json", "imported"]


def test_an_import_holds_photos_and_reads_as_reversion_writes(tmp_path):
    (tmp_path / "front.jpg").write_bytes(image_bytes(300, 400))
    call_command("import_catalog", _file(tmp_path, [dict(PHONE, images=["front.jpg"])]))
    device = Device.objects.get(slug=PHONE["slug"])
    photo = DevicePhoto.objects.get()
    imported = {v.object_id: v for v in Revision.objects.get().version_set.all()}
    # The same rows kept by reversion itself give the same data.
    with reversion.create_revision():
        reversion.add_to_revision(device)
    kept = Revision.objects.latest("pk").version_set.all()
    assert {v.object_id: v.field_dict for v in kept} == {
        key: v.field_dict for key, v in imported.items()
    }
    assert {v.object_id: v.object_repr for v in kept} == {
        key: v.object_repr for key, v in imported.items()
    }
    assert imported[str(photo.pk)].field_dict["image"] == photo.image.name


def test_an_imported_device_can_go_back_to_its_imported_version(editor_client, tmp_path):
    import_catalog(catalog([PHONE]), source="first.json")
    changed = dict(PHONE, launch_price=499, specs={"Battery capacity": "5000 mAh"})
    import_catalog(catalog([changed]), source="second.json")
    device = Device.objects.get(slug=PHONE["slug"])
    history = editor_client.get(reverse("admin:catalog_device_history", args=[device.pk]))
    rows = history.context["rows"]
    assert [(row.who, row.comment) for row in rows] == [
        ("import", "imported from second.json"),
        ("import", "imported from first.json"),
    ]
    assertInHTML("<li>Launch price (USD): <del>—</del> → <ins>499</ins></li>", history.text)
    assertInHTML(
        "<li>Battery capacity: <del>4700 mAh</del> → <ins>5000 mAh</ins></li>", history.text
    )
    first = Version.objects.get_for_object(device).order_by("pk").first()
    url = reverse("admin:catalog_device_restore", args=[device.pk, first.pk])
    assert editor_client.post(url).status_code == 302
    device.refresh_from_db()
    assert device.launch_price is None
    values = dict(SpecValue.objects.filter(device=device).values_list("field__name", "value"))
    assert values == {"Battery capacity": "4700 mAh", "IP rating": "IP54"}


def _file(folder, devices):
    path = folder / "catalog.json"
    path.write_text(json.dumps(catalog(devices)))
    return str(path)
