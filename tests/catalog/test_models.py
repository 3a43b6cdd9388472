from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from catalog import search as device_search
from catalog.models import Device, SpecField
from tests.factories import (
    BrandFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)

NUMBER, TEXT = SpecField.Kind.NUMBER, SpecField.Kind.TEXT
HIGHER, LOWER, NONE = (
    SpecField.Direction.HIGHER,
    SpecField.Direction.LOWER,
    SpecField.Direction.NONE,
)


@pytest.mark.parametrize(
    ("kind", "direction", "expected"),
    [
        (NUMBER, HIGHER, 12),
        (NUMBER, LOWER, 4),
        (NUMBER, NONE, None),
        (TEXT, HIGHER, None),
    ],
)
def test_best_follows_the_field_direction(kind, direction, expected):
    field = SpecField(name="X", kind=kind, direction=direction)
    assert field.best([8, None, 12, 4]) == expected


def test_best_of_no_numbers_is_none():
    field = SpecField(name="X", kind=NUMBER, direction=HIGHER)
    assert field.best([None, None]) is None
    assert field.best([]) is None


def test_spec_value_of_a_number_field_gets_its_number_from_the_text(db):
    field = SpecFieldFactory(kind=NUMBER, unit="GB")
    assert SpecValueFactory(field=field, value="8 GB / 12 GB").number == 12.0
    weight = SpecFieldFactory(kind=NUMBER, unit="g")
    assert SpecValueFactory(field=weight, value="1.37kg").number == 1370.0


def test_a_spec_value_whose_text_the_parser_refuses_is_stored_without_a_number(db):
    weight = SpecFieldFactory(kind=NUMBER, unit="g")
    assert SpecValueFactory(field=weight, value="1.3 kilo").number is None


def test_spec_value_of_a_text_field_has_no_number(db):
    assert SpecValueFactory(field=SpecFieldFactory(kind=TEXT), value="IP54").number is None


def test_with_specs_loads_every_sheet_in_two_queries(db, django_assert_num_queries):
    fields = [SpecFieldFactory() for _ in range(5)]
    for device in DeviceFactory.create_batch(4):
        for field in fields:
            SpecValueFactory(device=device, field=field)
    with django_assert_num_queries(2):
        devices = list(Device.objects.with_specs())
        assert [len(d.specs.all()) for d in devices] == [5, 5, 5, 5]
        assert {d.brand.name for d in devices}  # select_related: no extra query


def test_with_key_specs_holds_only_the_key_fields(db, django_assert_num_queries):
    device = DeviceFactory()
    ram = SpecValueFactory(device=device, field=SpecFieldFactory(name="RAM", key=True))
    SpecValueFactory(device=device, field=SpecFieldFactory(name="Dimensions", key=False))
    with django_assert_num_queries(2):
        [loaded] = Device.objects.with_key_specs()
        assert loaded.key_specs == [ram]


def test_spec_groups_follow_the_group_order_then_the_field_order(db):
    display, battery = (
        SpecGroupFactory(name="Display", order=1),
        SpecGroupFactory(name="Battery", order=2),
    )
    device = DeviceFactory()
    SpecValueFactory(device=device, field=SpecFieldFactory(name="Capacity", group=battery))
    SpecValueFactory(device=device, field=SpecFieldFactory(name="Size", group=display, order=2))
    SpecValueFactory(device=device, field=SpecFieldFactory(name="Refresh", group=display, order=1))
    groups = Device.objects.with_specs().get(pk=device.pk).spec_groups()
    assert [(g.name, [s.field.name for s in specs]) for g, specs in groups] == [
        ("Display", ["Refresh", "Size"]),
        ("Battery", ["Capacity"]),
    ]


def test_spec_groups_of_a_device_without_specs_is_empty(db):
    assert DeviceFactory().spec_groups() == []


def test_slug_with_vs_is_rejected_by_validation(db):
    device = DeviceFactory.build(slug="phone-vs-phone")
    device.brand.save()
    device.category.save()
    with pytest.raises(ValidationError) as error:
        device.full_clean()
    assert "slug" in error.value.message_dict


def test_slug_with_vs_is_rejected_by_the_database(db):
    with pytest.raises(IntegrityError):
        DeviceFactory(slug="a-vs-b")


def test_a_device_cannot_power_itself(db):
    device = DeviceFactory()
    device.powered_by = device
    with pytest.raises(ValidationError):
        device.clean()


@pytest.mark.parametrize(
    ("price", "shown"),
    [
        (Decimal("599"), "$599"),
        (Decimal("599.00"), "$599"),
        (Decimal("599.99"), "$599.99"),
        (Decimal("1299"), "$1,299"),
        (None, ""),
    ],
)
def test_price_display(price, shown):
    assert Device(name="X", launch_price=price).price_display == shown


def test_absolute_urls(db):
    device = DeviceFactory(slug="nothing-phone-2")
    assert device.get_absolute_url() == "/devices/nothing-phone-2/"
    assert device.brand.get_absolute_url() == f"/brands/{device.brand.slug}/"
    assert device.category.get_absolute_url() == f"/devices/?category={device.category.slug}"


def test_device_search_needs_every_word_in_the_name_or_brand(db):
    phone = DeviceFactory(name="Phone (2)", brand=BrandFactory(name="Nothing"))
    DeviceFactory(name="Phone (3)", brand=BrandFactory(name="Other"))
    assert device_search.find("nothing 2", 10).devices == [phone]
    assert device_search.find("NOTHING phone", 10).devices == [phone]
    assert device_search.search("nothing 3").count == 0


def test_device_search_of_nothing_but_punctuation_finds_nothing(db):
    DeviceFactory(name="Phone")
    assert device_search.search(" \"' () * ").count == 0
