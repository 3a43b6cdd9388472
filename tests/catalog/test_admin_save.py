"""Saving a device in the admin (issue 17, point 5): within the 15-query budget whatever the
editor changed, on a 36-value sheet with photos, and the revision the save leaves holds the
device as saved (every value changed, added or removed, and its photos), as History and a
restore read it. What the form checks it still checks: a brand, category or chip that is
not there, a slug that is taken or holds "-vs-"."""

import pytest
from django.urls import reverse
from reversion.models import Version

from catalog.models import Device, DevicePhoto, SpecValue
from tests.admin_forms import form_data
from tests.factories import DevicePhotoFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


@pytest.fixture
def device(big_catalog):
    device = big_catalog["devices"][5]
    DevicePhotoFactory(device=device)
    DevicePhotoFactory(device=device)
    return device


def change_url(device):
    return reverse("admin:catalog_device_change", args=[device.pk])


def opened(client, device):
    """The change form as the editor's browser would post it, nothing changed yet."""
    data = form_data(client.get(change_url(device)), "device")
    data["_continue"] = ["Save and continue editing"]
    return data


def row_of(data, device, field):
    """The inline row index showing ``field``'s value of ``device``."""
    index = 0
    while f"specs-{index}-field" in data:
        if data[f"specs-{index}-field"] == [str(field.pk)]:
            return index
        index += 1
    raise AssertionError(f"no row for {field}")


def save(client, device, data):
    response = client.post(change_url(device), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def newest_revision(device):
    return Version.objects.get_for_object(device).order_by("-pk").first().revision


@pytest.fixture
def warm(editor_client, device):
    """A site that has saved a device before: content types are read once per process."""
    save(editor_client, device, opened(editor_client, device))


# The budget counts the content version's bump, which runs at the commit (committed()), and
# the transaction's own statements (a savepoint here, BEGIN and COMMIT on a site).


@pytest.mark.usefixtures("warm")
def test_saving_an_unchanged_form_stays_within_the_budget(
    editor_client, device, committed, django_assert_max_num_queries
):
    data = opened(editor_client, device)
    with django_assert_max_num_queries(MAX_QUERIES), committed():
        save(editor_client, device, data)


@pytest.mark.usefixtures("warm")
def test_saving_a_field_and_a_value_stays_within_the_budget(
    editor_client, big_catalog, device, committed, django_assert_max_num_queries
):
    data = opened(editor_client, device)
    data["summary"] = ["A new summary."]
    row = row_of(data, device, big_catalog["fields"][0])
    data[f"specs-{row}-value"] = ["512 GB"]
    with django_assert_max_num_queries(MAX_QUERIES), committed():
        save(editor_client, device, data)
    device.refresh_from_db()
    assert device.summary == "A new summary."
    assert SpecValue.objects.get(device=device, field=big_catalog["fields"][0]).number == 512


def test_the_revision_of_a_save_holds_the_device_as_saved(editor_client, big_catalog, device):
    fields = big_catalog["fields"]
    SpecValue.objects.filter(device=device, field=fields[1]).delete()
    data = opened(editor_client, device)
    data["launch_price"] = ["777"]
    data[f"specs-{row_of(data, device, fields[0])}-value"] = ["64 GB"]
    data[f"specs-{row_of(data, device, fields[2])}-DELETE"] = ["on"]
    data[f"specs-{row_of(data, device, fields[1])}-value"] = ["8 GB"]  # a new row
    save(editor_client, device, data)

    revision = newest_revision(device)
    versions = {(v.content_type.model, v.object_id): v for v in revision.version_set.all()}
    values = SpecValue.objects.filter(device=device)
    assert {pk for model, pk in versions if model == "specvalue"} == {
        str(value.pk) for value in values
    }
    assert len(values) == 35  # Spec 1 added back, Spec 2 removed
    photos = {str(pk) for pk in DevicePhoto.objects.filter(device=device).values_list("pk")[0]}
    assert photos <= {pk for model, pk in versions if model == "devicephoto"}
    assert len([1 for model, _pk in versions if model == "devicephoto"]) == 2
    assert versions[("device", str(device.pk))].field_dict["launch_price"] == 777
    by_field = {
        v.field_dict["field_id"]: v.field_dict["value"]
        for (model, _pk), v in versions.items()
        if model == "specvalue"
    }
    assert by_field[fields[0].pk] == "64 GB"
    assert by_field[fields[1].pk] == "8 GB"
    assert fields[2].pk not in by_field
    # Its text names the field, as reversion's own versions do.
    value = values.get(field=fields[0])
    assert versions[("specvalue", str(value.pk))].object_repr == str(value)
    # The change message is the revision's comment.
    assert "Changed" in revision.get_comment()


def test_history_lists_what_the_save_changed(editor_client, big_catalog, device):
    fields = big_catalog["fields"]
    save(editor_client, device, opened(editor_client, device))
    data = opened(editor_client, device)
    data[f"specs-{row_of(data, device, fields[0])}-value"] = ["64 GB"]
    save(editor_client, device, data)
    history = editor_client.get(reverse("admin:catalog_device_history", args=[device.pk]))
    assert "64 GB" in history.text
    assert "Spec 0" in history.text


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("brand", "999999", "Select a valid choice"),
        ("category", "999999", "Select a valid choice"),
        ("powered_by", "999999", "Select a valid choice"),
        ("slug", "gadget-6", "already exists"),
        ("slug", "a-vs-b", "-vs-"),
    ],
)
def test_what_the_form_checks_it_still_checks(editor_client, device, name, value, message):
    data = opened(editor_client, device)
    data[name] = [value]
    response = editor_client.post(change_url(device), data)
    assert response.status_code == 200
    assert message in response.text
    assert Device.objects.get(pk=device.pk).slug == device.slug


def test_a_new_brand_category_and_chip_are_saved(editor_client, big_catalog, device):
    chip = big_catalog["devices"][2]
    data = opened(editor_client, device)
    data["brand"] = [str(big_catalog["brands"][0].pk)]
    data["category"] = [str(big_catalog["categories"][2].pk)]
    data["powered_by"] = [str(chip.pk)]
    save(editor_client, device, data)
    device.refresh_from_db()
    assert device.brand == big_catalog["brands"][0]
    assert device.category == big_catalog["categories"][2]
    assert device.powered_by == chip


def test_the_forms_revision_holds_what_reversions_own_would(editor_client, big_catalog, device):
    """The same rows, each serialized the same: the form writes its revision itself
    (core.admin.FormRevisionAdmin), so it must never drift from the model's follow."""
    import reversion

    data = opened(editor_client, device)
    data[f"specs-{row_of(data, device, big_catalog['fields'][3])}-value"] = ["99 GB"]
    save(editor_client, device, data)
    written = newest_revision(device)
    with reversion.create_revision():
        reversion.add_to_revision(Device.objects.get(pk=device.pk))
    own = newest_revision(device)
    assert own.pk != written.pk

    def rows(revision):
        return {
            (v.content_type.model, v.object_id): (v.field_dict, v.object_repr)
            for v in revision.version_set.all()
        }

    mine, theirs = rows(written), rows(own)
    assert mine.keys() == theirs.keys()
    for key, (fields, text) in theirs.items():
        assert mine[key][1] == text
        # The device's own stamp moves between the two; everything else is equal.
        assert {k: v for k, v in mine[key][0].items() if k != "updated_at"} == {
            k: v for k, v in fields.items() if k != "updated_at"
        }


def test_adding_a_device_keeps_its_first_revision_with_its_values(editor_client, big_catalog):
    category = big_catalog["categories"][0]
    add = reverse("admin:catalog_device_add") + f"?category={category.pk}"
    data = form_data(editor_client.get(add), "device")
    data.update(
        name=["Gadget New"],
        slug=["gadget-new"],
        brand=[str(big_catalog["brands"][0].pk)],
        category=[str(category.pk)],
    )
    data["specs-0-value"] = ["16 GB"]
    response = editor_client.post(add, data)
    assert response.status_code == 302
    device = Device.objects.get(slug="gadget-new")
    versions = Version.objects.get_for_object(device)
    assert len(versions) == 1
    revision = versions[0].revision
    assert revision.user.username == "editor"
    models = sorted(v.content_type.model for v in revision.version_set.all())
    assert models == ["device", "specvalue"]
