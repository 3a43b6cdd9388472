"""The device form's "Preview the public page": the page drawn from unsaved values, in
memory, with nothing written."""

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from catalog.models import Device, SpecField, SpecValue
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
    device_form_data,
)
from tests.hostile import SCRIPT

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def phones():
    phones = CategoryFactory(name="Phones", kind="phone")
    battery = SpecGroupFactory(name="Battery", order=2)
    display = SpecGroupFactory(name="Display", order=1)
    capacity = SpecFieldFactory(
        name="Battery capacity",
        group=battery,
        unit="mAh",
        kind=SpecField.Kind.NUMBER,
        key=True,
        categories=[phones],
    )
    panel = SpecFieldFactory(name="Display type", group=display, categories=[phones])
    return {"category": phones, "capacity": capacity, "panel": panel}


def form_data(device, rows):
    """The change or add form as a browser posts it, with these spec rows."""
    data = {
        **device_form_data(device),
        "specs-TOTAL_FORMS": len(rows),
        "specs-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
    }
    for i, row in enumerate(rows):
        for name in ("id", "field", "value", "number", "source", "DELETE"):
            if name in row:
                data[f"specs-{i}-{name}"] = row[name]
        data[f"specs-{i}-device"] = device.pk or ""
    return data


def preview(client, device, data):
    args = [device.pk] if device.pk else []
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("admin:catalog_device_preview", args=args), data)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    return response, writes


def test_the_preview_shows_the_unsaved_values_and_writes_nothing(editor_client, phones):
    device = DeviceFactory(name="Pixel 9", slug="pixel-9", category=phones["category"])
    spec = SpecValueFactory(device=device, field=phones["capacity"], value="4700 mAh")
    rows = [
        {"id": spec.pk, "field": spec.field_id, "value": "5100 mAh", "number": ""},
        {"field": phones["panel"].pk, "value": "LTPO OLED"},
    ]
    data = form_data(device, rows) | {"name": "Pixel 9 Pro", "launch_price": "999"}
    response, writes = preview(editor_client, device, data)
    assert response.status_code == 200
    assert writes == []
    assert response["X-Robots-Tag"] == "noindex"
    page = response.text
    assert "Preview — not saved." in page
    assert "<h1>Pixel 9 Pro</h1>" in page and "$999" in page
    assert "5,100 mAh" in page and "LTPO OLED" in page and "4,700" not in page
    spec.refresh_from_db()
    device.refresh_from_db()
    assert (device.name, spec.value, spec.number) == ("Pixel 9", "4700 mAh", 4700)
    assert device.specs.count() == 1
    assert not Version.objects.exists()


def test_a_row_marked_for_deletion_is_not_shown(admin_client, phones):
    # (Editors may not delete values: their form has no such box.)
    device = DeviceFactory(category=phones["category"])
    spec = SpecValueFactory(device=device, field=phones["panel"], value="Plasma screen")
    rows = [{"id": spec.pk, "field": spec.field_id, "value": spec.value, "DELETE": "on"}]
    response, writes = preview(admin_client, device, form_data(device, rows))
    assert response.status_code == 200 and writes == []
    assert "Plasma screen" not in response.text
    assert SpecValue.objects.filter(pk=spec.pk).exists()


def test_a_new_device_is_previewed_before_it_exists(editor_client, phones):
    draft = DeviceFactory.build(
        name="Fairphone 6", slug="fairphone-6", brand=BrandFactory(), category=phones["category"]
    )
    rows = [{"field": phones["capacity"].pk, "value": "4.2 Ah"}]
    response, writes = preview(editor_client, draft, form_data(draft, rows))
    assert response.status_code == 200, response.text
    assert writes == []
    assert "<h1>Fairphone 6</h1>" in response.text and "4,200 mAh" in response.text
    assert not Device.objects.filter(slug="fairphone-6").exists()


def test_an_invalid_form_lists_its_errors_instead(editor_client, phones):
    device = DeviceFactory(category=phones["category"])
    rows = [{"field": phones["capacity"].pk, "value": "big"}]
    data = form_data(device, rows) | {"name": ""}
    response, writes = preview(editor_client, device, data)
    assert response.status_code == 400 and writes == []
    assert "This field is required." in response.text
    assert "Battery capacity is a number" in response.text


def test_names_and_values_are_escaped(editor_client, phones):
    device = DeviceFactory(category=phones["category"])
    rows = [{"field": phones["panel"].pk, "value": SCRIPT}]
    data = form_data(device, rows) | {"name": f"Phone {SCRIPT}"}
    response, _writes = preview(editor_client, device, data)
    assert response.status_code == 200
    assert SCRIPT not in response.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_preview_takes_only_a_post(editor_client, phones):
    device = DeviceFactory(category=phones["category"])
    url = reverse("admin:catalog_device_preview", args=[device.pk])
    assert editor_client.get(url).status_code == 405


def test_an_unknown_device_is_not_found(editor_client, phones):
    device = DeviceFactory(category=phones["category"])
    for object_id in ["99999", "abc"]:
        url = reverse("admin:catalog_device_preview", args=[object_id])
        assert editor_client.post(url, form_data(device, [])).status_code == 404


def test_the_preview_needs_the_csrf_token(phones):
    user = User.objects.create_superuser("strict", "strict@example.com", "pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    device = DeviceFactory(category=phones["category"])
    response, _writes = preview(client, device, form_data(device, []))
    assert response.status_code == 403


def test_staff_who_may_only_view_devices_are_refused(client, phones):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_device"))
    client.force_login(user)
    device = DeviceFactory(category=phones["category"])
    assert preview(client, device, form_data(device, []))[0].status_code == 403
    draft = DeviceFactory.build(brand=device.brand, category=device.category)
    assert preview(client, draft, form_data(draft, []))[0].status_code == 403
    page = client.get(reverse("admin:catalog_device_change", args=[device.pk])).text
    assert "Preview the public page" not in page


def test_the_device_form_has_the_preview_button(editor_client, phones):
    device = DeviceFactory(category=phones["category"])
    page = editor_client.get(reverse("admin:catalog_device_change", args=[device.pk])).text
    url = reverse("admin:catalog_device_preview", args=[device.pk])
    assert f'formaction="{url}" formtarget="_blank"' in page
    add = editor_client.get(reverse("admin:catalog_device_add")).text
    assert f'formaction="{reverse("admin:catalog_device_preview")}"' in add
