"""A device's History page: what each revision changed, and restoring one, as an editor."""

from decimal import Decimal

import pytest
import reversion
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains
from reversion.models import Version

from catalog.models import Device, DevicePhoto, SpecField, SpecValue
from core import images
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    DevicePhotoFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
    device_form_data,
)
from tests.hostile import SCRIPT

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields():
    phones = CategoryFactory(name="Phones")
    body = SpecGroupFactory(name="Body", order=1)
    network = SpecGroupFactory(name="Network", order=2)
    return {
        "phones": phones,
        "weight": SpecFieldFactory(
            name="Weight", group=body, unit="g", kind=SpecField.Kind.NUMBER, order=1
        ),
        "ip": SpecFieldFactory(name="IP rating", group=body, order=2),
        "5g": SpecFieldFactory(name="5G", group=network, kind=SpecField.Kind.BOOLEAN),
    }


@pytest.fixture
def device(fields):
    device = DeviceFactory(
        name="Pixel 9", slug="pixel-9", category=fields["phones"], launch_price=Decimal("599.00")
    )
    SpecValueFactory(device=device, field=fields["weight"], value="201 g")
    SpecValueFactory(device=device, field=fields["5g"], value="Yes")
    return device


def keep(device, comment="Saved", user=None):
    """A revision of the device as the database holds it now, as a save in the admin
    leaves one (with its values and photos)."""
    with reversion.create_revision():
        reversion.set_comment(comment)
        if user is not None:
            reversion.set_user(user)
        reversion.add_to_revision(Device.objects.get(pk=device.pk))


def history_url(device):
    return reverse("admin:catalog_device_history", args=[device.pk])


def restore_url(device, version):
    return reverse("admin:catalog_device_restore", args=[device.pk, version.pk])


def versions_of(device):
    """The device's versions, oldest first."""
    return list(Version.objects.get_for_object(device).order_by("pk"))


def change_price_and_values(device, fields):
    """599 → 549, Weight 201 g → 199 g, 5G removed, IP rating added."""
    Device.objects.filter(pk=device.pk).update(launch_price=549)
    SpecValue.objects.filter(device=device, field=fields["weight"]).update(
        value="199 g", number=199
    )
    SpecValue.objects.filter(device=device, field=fields["5g"]).delete()
    SpecValueFactory(device=device, field=fields["ip"], value="IP54")


def test_history_says_old_and_new_for_a_field_and_each_value(editor_client, device, fields):
    editor = User.objects.get(username="editor")
    editor.first_name, editor.last_name = "Ada", "Lovelace"
    editor.save()
    keep(device, "Added.")
    change_price_and_values(device, fields)
    keep(device, "Changed Launch price and Spec values.", user=editor)
    response = editor_client.get(history_url(device))
    assert response.status_code == 200
    newest = response.context["rows"][0]
    assert (
        newest.who == "Ada Lovelace" and newest.comment == "Changed Launch price and Spec values."
    )
    assertInHTML("<li>Launch price (USD): <del>599</del> → <ins>549</ins></li>", response.text)
    assertInHTML("<li>Weight: <del>201 g</del> → <ins>199 g</ins></li>", response.text)
    assertInHTML("<li>IP rating: added <ins>IP54</ins></li>", response.text)
    assertInHTML("<li>5G: removed <del>Yes</del></li>", response.text)
    # Values unchanged are not told; the oldest revision has nothing to compare with.
    assert [change.label for change in newest.changes] == [
        "Launch price (USD)",
        "Weight",
        "IP rating",
        "5G",
    ]
    assertContains(response, "The first version kept.", count=1)


def test_history_names_the_brand_and_the_precision_not_their_keys(editor_client, device, fields):
    keep(device)
    other = DeviceFactory(name="Pixel 8").brand
    Device.objects.filter(pk=device.pk).update(brand=other, released_precision="year")
    keep(device)
    response = editor_client.get(history_url(device))
    changes = {c.label: (c.old, c.new) for c in response.context["rows"][0].changes}
    assert changes["Brand"] == (device.brand.name, other.name)
    assert changes["Released precision"] == ("Day", "Year")


def test_history_tells_photos_added_and_removed(editor_client, device):
    first = DevicePhotoFactory(device=device, alt="Front")
    keep(device)
    first.delete()
    DevicePhotoFactory(device=device, alt="Back", color=(0, 90, 200))
    keep(device)
    response = editor_client.get(history_url(device))
    assertInHTML("<li>Device photo: added <ins>Back</ins></li>", response.text)
    assertInHTML("<li>Device photo: removed <del>Front</del></li>", response.text)


def test_a_save_in_the_admin_shows_on_the_history_page(editor_client, device, fields):
    weight = device.specs.get(field=fields["weight"])
    five_g = device.specs.get(field=fields["5g"])
    # The form is opened on the version kept here (a later revision would be a conflict).
    keep(device)
    data = {
        **device_form_data(device),
        "name": "Pixel 9 Pro",
        "specs-TOTAL_FORMS": 2,
        "specs-INITIAL_FORMS": 2,
        "specs-MIN_NUM_FORMS": 0,
        "specs-MAX_NUM_FORMS": 1000,
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
    }
    for i, spec in enumerate([weight, five_g]):
        data |= {f"specs-{i}-id": spec.pk, f"specs-{i}-device": device.pk}
        data |= {f"specs-{i}-field": spec.field_id, f"specs-{i}-value": spec.value}
        data |= {f"specs-{i}-number": spec.number or "", f"specs-{i}-source": ""}
    data["specs-0-value"] = "0.2 kg"
    response = editor_client.post(reverse("admin:catalog_device_change", args=[device.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    page = editor_client.get(history_url(device))
    assertInHTML("<li>Name: <del>Pixel 9</del> → <ins>Pixel 9 Pro</ins></li>", page.text)
    assertInHTML("<li>Weight: <del>201 g</del> → <ins>0.2 kg</ins></li>", page.text)
    assert page.context["rows"][0].who == "editor"


def test_hostile_text_is_shown_as_text(editor_client, device, fields):
    keep(device)
    SpecValue.objects.filter(device=device, field=fields["weight"]).update(value=SCRIPT)
    Device.objects.filter(pk=device.pk).update(name=SCRIPT)
    keep(device, comment=SCRIPT)
    response = editor_client.get(history_url(device))
    assert SCRIPT not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_restoring_brings_back_fields_and_values_and_the_public_page_shows_it(
    editor_client, device, fields, committed
):
    keep(device, "Added.")
    change_price_and_values(device, fields)
    keep(device, "Changed.")
    page = Client().get(device.get_absolute_url())  # cached now
    assert "IP54" in page.text
    with committed():
        response = editor_client.post(restore_url(device, versions_of(device)[0]))
    assert response.status_code == 302
    assert response.url == history_url(device)
    device.refresh_from_db()
    assert device.launch_price == 599
    assert dict(device.specs.values_list("field__name", "value")) == {
        "Weight": "201 g",
        "5G": "Yes",
    }
    assert device.specs.get(field=fields["weight"]).number == 201
    # The very next request shows it, though the page was cached.
    page = Client().get(device.get_absolute_url())
    assert "IP54" not in page.text and "201 g" in page.text
    restored = versions_of(device)[-1].revision
    assert restored.user.username == "editor"
    assert restored.comment.startswith("Restored the version of ")
    assert restored.comment.endswith("(by system)")
    # The restore is a revision like any other: the History page tells it.
    history = editor_client.get(history_url(device))
    assertInHTML("<li>IP rating: removed <del>IP54</del></li>", history.text)
    assertInHTML("<li>5G: added <ins>Yes</ins></li>", history.text)


def test_restoring_one_device_leaves_the_others_of_its_revision_alone(
    editor_client, device, fields
):
    other = DeviceFactory(name="Galaxy S25", category=fields["phones"], launch_price=799)
    with reversion.create_revision():
        reversion.add_to_revision(Device.objects.get(pk=device.pk))
        reversion.add_to_revision(Device.objects.get(pk=other.pk))
    Device.objects.filter(pk__in=[device.pk, other.pk]).update(launch_price=1)
    keep(device)
    editor_client.post(restore_url(device, versions_of(device)[0]))
    assert Device.objects.get(pk=device.pk).launch_price == 599
    assert Device.objects.get(pk=other.pk).launch_price == 1


def test_a_restore_gives_the_device_a_new_updated_at(editor_client, device):
    keep(device)
    before = Device.objects.get(pk=device.pk).updated_at
    keep(device)
    editor_client.post(restore_url(device, versions_of(device)[0]))
    assert Device.objects.get(pk=device.pk).updated_at > before


def test_a_photo_whose_file_is_gone_is_left_out_of_a_restore(editor_client, device, committed):
    photo = DevicePhotoFactory(device=device, alt="Front")
    name = photo.image.name
    keep(device)
    with committed():
        photo.delete()  # its files stay while a revision names them...
    images.delete_files([name, *images.copy_names(name)])  # ...unless they are lost
    assert not default_storage.exists(name)
    keep(device)
    response = editor_client.post(restore_url(device, versions_of(device)[0]))
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "The photo “Front” did not come back: its file is gone." in messages
    assert not DevicePhoto.objects.exists()
    assert Device.objects.get(pk=device.pk).image.name == ""
    assert Client().get(device.get_absolute_url()).status_code == 200
    assert (
        editor_client.get(reverse("admin:catalog_device_change", args=[device.pk])).status_code
        == 200
    )


def test_a_restore_brings_back_a_deleted_photo_and_the_main_photo(editor_client, device):
    photo = DevicePhotoFactory(device=device, alt="Front")
    name = photo.image.name
    keep(device)
    photo.delete()  # not committed: its files stay, as a trash would keep them
    keep(device)
    editor_client.post(restore_url(device, versions_of(device)[0]))
    assert list(DevicePhoto.objects.values_list("alt", flat=True)) == ["Front"]
    assert Device.objects.get(pk=device.pk).image.name == name
    assert images.copy_url(name, 640) in Client().get(device.get_absolute_url()).text


def test_a_value_whose_field_is_deleted_is_left_out_of_a_restore(editor_client, device, fields):
    keep(device)
    fields["5g"].delete()  # and its values with it
    SpecValue.objects.filter(device=device).update(value="0 g")
    keep(device)
    response = editor_client.post(restore_url(device, versions_of(device)[0]))
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "The value “5G: Yes” did not come back: its field is deleted." in messages
    assert list(device.specs.values_list("value", flat=True)) == ["201 g"]


def test_a_restore_that_cannot_be_done_says_why_and_changes_nothing(editor_client, device):
    keep(device)
    Device.objects.filter(pk=device.pk).update(slug="pixel-9-pro", launch_price=1)
    keep(device)
    DeviceFactory(name="Another", slug="pixel-9")  # took the old slug since
    response = editor_client.post(restore_url(device, versions_of(device)[0]), follow=True)
    assert response.status_code == 200
    assert "This version cannot come back as it was" in response.text
    device.refresh_from_db()
    assert (device.slug, device.launch_price) == ("pixel-9-pro", 1)
    assert len(versions_of(device)) == 2


def test_restoring_needs_the_change_permission(client, device):
    keep(device)
    Device.objects.filter(pk=device.pk).update(name="Renamed")
    keep(device)
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_device"))
    client.force_login(viewer)
    page = client.get(history_url(device))
    assert page.status_code == 200
    assertNotContains(page, "Restore this version")
    assert client.post(restore_url(device, versions_of(device)[0])).status_code == 403
    assert Device.objects.get(pk=device.pk).name == "Renamed"


def test_a_restore_is_a_post_and_of_this_devices_own_versions(editor_client, device):
    keep(device)
    other = DeviceFactory()
    keep(other)
    assert editor_client.get(restore_url(device, versions_of(device)[0])).status_code == 405
    foreign = reverse("admin:catalog_device_restore", args=[device.pk, versions_of(other)[0].pk])
    assert editor_client.post(foreign).status_code == 404
    missing = reverse("admin:catalog_device_restore", args=[999999, versions_of(device)[0].pk])
    assert editor_client.post(missing).status_code == 404


def test_reversions_own_revision_page_sends_to_the_history_page(editor_client, device):
    """It would revert a whole revision (every device of an import), not just this device."""
    keep(device)
    version = versions_of(device)[0]
    url = reverse("admin:catalog_device_revision", args=[device.pk, version.pk])
    response = editor_client.get(url)
    assert response.status_code == 302 and response.url == history_url(device)


def test_the_newest_row_is_the_current_version_and_a_junk_page_is_the_first(editor_client, device):
    keep(device)
    keep(device)
    response = editor_client.get(history_url(device), {"p": "junk"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.current for row in rows] == [True, False]
    assertContains(response, "Restore this version", count=1)
    assertContains(response, "Nothing it holds changed.", count=1)


def test_history_page_queries_stay_bounded_with_30_revisions(
    editor_client, device, fields, django_assert_max_num_queries
):
    def revisions(first, count):
        for n in range(first, first + count):
            Device.objects.filter(pk=device.pk).update(launch_price=600 + n, name=f"Pixel {n}")
            SpecValue.objects.filter(device=device, field=fields["weight"]).update(value=f"{n} g")
            keep(device)

    revisions(0, 3)
    with django_assert_max_num_queries(20) as few:
        editor_client.get(history_url(device))
    revisions(3, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = editor_client.get(history_url(device))
    assert len(response.context["rows"]) == 30
    assertInHTML("<li>Weight: <del>28 g</del> → <ins>29 g</ins></li>", response.text)


def test_history_pages_beyond_the_first_compare_with_the_revision_before(editor_client, device):
    for n in range(55):
        Device.objects.filter(pk=device.pk).update(name=f"Pixel {n}")
        keep(device)
    response = editor_client.get(history_url(device), {"p": 2})
    rows = response.context["rows"]
    assert len(rows) == 5
    assert [c.new for c in rows[0].changes] == ["Pixel 4"]
    assert rows[-1].first and not rows[0].current


def test_duplicating_leaves_a_revision_of_the_copy_with_its_values(editor_client, device):
    response = editor_client.post(
        reverse("admin:catalog_device_changelist"),
        {"action": "duplicate", "_selected_action": [device.pk]},
    )
    assert response.status_code == 302
    copy = Device.objects.get(slug="pixel-9-copy")
    [version] = versions_of(copy)
    revision = version.revision
    assert revision.comment == "Duplicated from Pixel 9"
    assert revision.user.username == "editor"
    assert {(v.content_type.model, v.object_repr) for v in revision.version_set.all()} == {
        ("device", "Pixel 9 (copy)"),
        ("specvalue", "Weight: 201 g"),
        ("specvalue", "5G: Yes"),
    }
    assert {v.field_dict["device_id"] for v in revision.version_set.exclude(pk=version.pk)} == {
        copy.pk
    }
    assert not versions_of(device)


def test_a_device_without_revisions_has_a_history_page_that_says_so(editor_client, device):
    response = editor_client.get(history_url(device))
    assert response.status_code == 200
    assertContains(response, "No revision of this device has been kept yet")
