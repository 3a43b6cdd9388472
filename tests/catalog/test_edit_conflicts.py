"""Two editors with the same device open: a spec value or photo changed in one tab is a
conflict for the other, even when the device's own fields are the same."""

import pytest
import reversion
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Device, SpecField
from core.conflicts import TOKEN_FIELD, current_token
from tests.admin_forms import form_data
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)
from tests.news.test_edit_conflicts import SAVE_AGAIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone():
    phones = CategoryFactory(name="Phones")
    battery = SpecFieldFactory(
        name="Battery capacity",
        group=SpecGroupFactory(name="Battery"),
        unit="mAh",
        kind=SpecField.Kind.NUMBER,
        categories=[phones],
    )
    display = SpecGroupFactory(name="Display")
    SpecFieldFactory(name="Display type", group=display, categories=[phones])
    device = DeviceFactory(name="Old name", slug="test-phone", category=phones, summary="")
    SpecValueFactory(device=device, field=battery, value="4700 mAh")
    # It was saved once in the admin: a revision holds it with its values.
    with reversion.create_revision():
        device.save()
    return device


def url(device):
    return reverse("admin:catalog_device_change", args=[device.pk])


def open_form(client, device):
    response = client.get(url(device))
    assert response.status_code == 200
    return form_data(response, "device")


def row_of(data, field_name):
    """The inline prefix ("specs-0") of the row whose field is ``field_name``."""
    field = SpecField.objects.get(name=field_name)
    for name, values in data.items():
        if name.startswith("specs-") and name.endswith("-field") and values == [str(field.pk)]:
            return name.removesuffix("-field")
    raise AssertionError(f"no row for {field_name}")


def save(client, device, data, **changes):
    return client.post(url(device), {**data, **{k: [v] for k, v in changes.items()}})


def errors(response):
    return [str(error) for error in response.context["adminform"].form.non_field_errors()]


def test_a_spec_value_changed_in_another_tab_refuses_the_save_and_keeps_what_was_typed(
    ann, bea, phone
):
    a_tab, b_tab = open_form(ann, phone), open_form(bea, phone)
    battery = row_of(b_tab, "Battery capacity")
    assert save(bea, phone, b_tab, **{f"{battery}-value": "5000 mAh"}).status_code == 302

    # Ann changes the name and types a value into the pre-filled Display type row.
    display = row_of(a_tab, "Display type")
    response = save(ann, phone, a_tab, name="Ann's name", **{f"{display}-value": "OLED"})

    assert response.status_code == 200
    listed = errors(response)
    assert listed[0].startswith("Bea Baker changed this device after you opened it")
    assert "Spec value: “Battery capacity: 4700 mAh” → “Battery capacity: 5000 mAh”" in listed
    assert listed[-1].endswith(SAVE_AGAIN)
    kept = form_data(response, "device")
    assert kept["name"] == ["Ann's name"]
    assert kept[f"{display}-value"] == ["OLED"]
    phone.refresh_from_db()
    assert phone.name == "Old name"
    assert dict(phone.specs.values_list("field__name", "value")) == {"Battery capacity": "5000 mAh"}


def test_saving_the_device_again_puts_back_the_value_in_the_form(ann, bea, phone):
    a_tab, b_tab = open_form(ann, phone), open_form(bea, phone)
    battery = row_of(b_tab, "Battery capacity")
    save(bea, phone, b_tab, **{f"{battery}-value": "5000 mAh"})
    refused = save(ann, phone, a_tab, name="Ann's name")

    response = save(ann, phone, form_data(refused, "device"))

    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.name == "Ann's name"
    # Ann's form still held 4700 mAh: her deliberate save replaced Bea's value.
    assert phone.specs.get().value == "4700 mAh"


def test_a_value_added_in_another_tab_is_listed_and_saving_again_keeps_it(ann, bea, phone):
    a_tab, b_tab = open_form(ann, phone), open_form(bea, phone)
    display = row_of(b_tab, "Display type")
    save(bea, phone, b_tab, **{f"{display}-value": "OLED"})

    refused = save(ann, phone, a_tab, name="Ann's name")

    assert "Spec value added: “Display type: OLED”" in errors(refused)
    # Ann left the pre-filled row blank: saving again adds nothing and removes nothing.
    response = save(ann, phone, form_data(refused, "device"))
    assert response.status_code == 302
    assert dict(phone.specs.values_list("field__name", "value")) == {
        "Battery capacity": "4700 mAh",
        "Display type": "OLED",
    }


def test_a_device_field_changed_in_another_tab_is_listed_old_to_new(ann, bea, phone):
    a_tab, b_tab = open_form(ann, phone), open_form(bea, phone)
    save(bea, phone, b_tab, summary="Bea's summary.", launch_price="499")

    response = save(ann, phone, a_tab, name="Ann's name")

    listed = errors(response)
    assert "Summary: (empty) → “Bea's summary.”" in listed
    price = [line for line in listed if line.startswith("Launch price (USD): ")]
    assert len(price) == 1 and price[0].endswith(" → “499”")


def test_a_garbage_token_on_a_device_is_refused_then_saving_again_works(ann, phone):
    data = open_form(ann, phone) | {TOKEN_FIELD: ["1.2.3"]}
    response = save(ann, phone, data, name="Ann's name")
    assert response.status_code == 200
    assert "did not say which version of the device" in errors(response)[0]
    assert save(ann, phone, form_data(response, "device")).status_code == 302
    assert Device.objects.get(pk=phone.pk).name == "Ann's name"


def test_the_check_locks_the_row_where_the_database_can(phone):
    if not connection.features.has_select_for_update:
        pytest.skip(f"{connection.vendor} has no row locks: its writes are serialised")
    with CaptureQueriesContext(connection) as queries:
        current_token(Device, phone.pk, "default", lock=True)
    assert "FOR UPDATE" in queries[-1]["sql"]


def test_a_source_changed_in_another_tab_is_listed_under_its_value(ann, bea, phone):
    a_tab, b_tab = open_form(ann, phone), open_form(bea, phone)
    battery = row_of(b_tab, "Battery capacity")
    save(bea, phone, b_tab, **{f"{battery}-source": "https://maker.example/spec"})

    response = save(ann, phone, a_tab, name="Ann's name")

    assert (
        "Spec value “Battery capacity: 4700 mAh”: Source: (empty) → “https://maker.example/spec”"
        in errors(response)
    )
