"""catalog.loading: devices and spec values read in written-out queries must come out as the
ORM makes them (types converted, related instances set, sheet order), in one query each."""

import datetime
from decimal import Decimal

import pytest

from catalog import loading
from catalog.models import Device, SpecValue
from tests.factories import DeviceFactory, SpecFieldFactory, SpecGroupFactory, SpecValueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone():
    chip = DeviceFactory(name="Chip X", launch_price=None, released=None)
    phone = DeviceFactory(
        name="Phone X",
        launch_price=Decimal("799.50"),
        released=datetime.date(2024, 3, 7),
        powered_by=chip,
    )
    DeviceFactory(powered_by=chip)
    return phone


def test_devices_come_as_the_orm_makes_them_with_related_set(phone, django_assert_num_queries):
    expected = Device.objects.select_related("brand", "category", "powered_by__category").get(
        pk=phone.pk
    )
    with django_assert_num_queries(1):
        found = loading.devices_with_related("slug", [phone.slug, "no-such-device"])
        device = found[phone.slug]
        related = (device.brand.name, device.category.name, device.powered_by.name)
        chip_category = device.powered_by.category.name
    assert list(found) == [phone.slug]
    assert related == (expected.brand.name, expected.category.name, "Chip X")
    assert chip_category == expected.powered_by.category.name
    for field in Device._meta.concrete_fields:
        assert getattr(device, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(device.launch_price, Decimal) and device.released_text == "7 March 2024"
    assert isinstance(device.created_at, datetime.datetime) and device.created_at.tzinfo


def test_by_pk_with_the_count_of_devices_powered(phone, django_assert_num_queries):
    chip = phone.powered_by
    with django_assert_num_queries(1):
        found = loading.devices_with_related("pk", [chip.pk, phone.pk], powers_count=True)
        assert found[chip.pk].powered_by is None
    assert (found[chip.pk].powers_count, found[phone.pk].powers_count) == (2, 0)
    assert loading.devices_with_related("pk", []) == {}


def test_a_device_read_that_way_saves_like_any_other(phone):
    device = loading.devices_with_related("pk", [phone.pk])[phone.pk]
    device.name = "Phone X Pro"
    device.save()
    assert Device.objects.get(pk=phone.pk).name == "Phone X Pro"


def test_spec_values_in_sheet_order_with_their_fields(phone, django_assert_max_num_queries):
    late, early = SpecGroupFactory(name="Late", order=9), SpecGroupFactory(name="Early", order=1)
    weight = SpecFieldFactory(name="Weight", group=late, kind="number", unit="g")
    screen = SpecFieldFactory(name="Screen", group=early)
    SpecValueFactory(device=phone, field=weight, value="190 g", number=190)
    SpecValueFactory(device=phone, field=screen, value="6.1 in")
    SpecValueFactory(device=phone.powered_by, field=screen, value="none")
    with django_assert_max_num_queries(2):  # the values, and fields not seen yet
        values = loading.spec_values([phone, phone.powered_by])
        names = [value.field.name for value in values[phone.pk]]
        group = values[phone.pk][0].field.group.name
    assert names == ["Screen", "Weight"] and group == "Early"
    assert [value.value for value in values[phone.powered_by.pk]] == ["none"]
    stored = SpecValue.objects.get(device=phone, field=weight)
    read = values[phone.pk][1]
    assert (read.pk, read.number, read.changed_at) == (stored.pk, 190.0, stored.changed_at)
    assert loading.spec_values([]) == {}
