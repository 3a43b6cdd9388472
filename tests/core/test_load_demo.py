import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Brand, Category, Device, SpecField, SpecGroup, SpecValue
from news.models import Article

pytestmark = pytest.mark.django_db

SLUGS = {
    "mediatek-dimensity-6300",
    "mediatek-dimensity-6100-plus",
    "nothing-phone-2",
    "qualcomm-snapdragon-8-plus-gen-1",
    "lenovo-yoga-slim-7x",
    "qualcomm-snapdragon-x-elite",
}


def row_counts():
    models = [Brand, Category, Device, SpecField, SpecGroup, SpecValue, Article]
    return {model.__name__: model.objects.count() for model in models}


def number(slug, field):
    return SpecValue.objects.get(device__slug=slug, field__name=field).number


def test_running_it_twice_gives_the_same_rows_and_changes_nothing(capsys):
    call_command("load_demo")
    first = row_counts()
    assert "6 devices (6 new, 0 updated, 0 unchanged)" in capsys.readouterr().out
    call_command("load_demo")
    assert row_counts() == first
    assert set(Device.objects.values_list("slug", flat=True)) == SLUGS
    assert first["Brand"] == 4 and first["Category"] == 3
    out = capsys.readouterr().out
    assert "6 devices (0 new, 0 updated, 6 unchanged), 0 new fields, 0 changed fields" in out


def test_it_never_creates_users():
    call_command("load_demo")
    assert not get_user_model().objects.exists()


def test_demo_figures_are_the_real_ones_in_the_fields_unit():
    call_command("load_demo")
    assert number("nothing-phone-2", "Battery capacity") == 4700
    assert number("nothing-phone-2", "RAM") == 12
    assert number("nothing-phone-2", "Storage") == 512
    assert number("nothing-phone-2", "Main camera") == 50
    assert number("nothing-phone-2", "Weight") == 201.2
    assert number("nothing-phone-2", "Refresh rate") == 120
    assert number("lenovo-yoga-slim-7x", "Weight") == 1280
    # "512 GB / 1 TB": a terabyte of storage is 1,000 GB, as its maker counts.
    assert number("lenovo-yoga-slim-7x", "Storage") == 1000
    assert number("lenovo-yoga-slim-7x", "RAM") == 32
    assert number("mediatek-dimensity-6300", "Max CPU clock") == 2.4
    assert number("mediatek-dimensity-6100-plus", "Max CPU clock") == 2.2
    assert number("qualcomm-snapdragon-8-plus-gen-1", "Process node") == 4
    assert number("qualcomm-snapdragon-x-elite", "NPU") == 45
    assert number("qualcomm-snapdragon-x-elite", "Process node") == 4


def test_phone_and_laptop_point_to_their_chipsets_with_dates_and_prices():
    call_command("load_demo")
    phone = Device.objects.get(slug="nothing-phone-2")
    laptop = Device.objects.get(slug="lenovo-yoga-slim-7x")
    assert phone.powered_by.slug == "qualcomm-snapdragon-8-plus-gen-1"
    assert laptop.powered_by.slug == "qualcomm-snapdragon-x-elite"
    assert (phone.released_text, phone.launch_price) == ("July 2023", Decimal("599"))
    assert (phone.released, phone.released_iso) == (datetime.date(2023, 7, 1), "2023-07")
    assert (laptop.released, laptop.launch_price) == (
        datetime.date(2024, 6, 18),
        Decimal("1199.99"),
    )
    assert Device.objects.get(slug="mediatek-dimensity-6300").released_text == "April 2024"
    assert Device.objects.get(slug="qualcomm-snapdragon-x-elite").launch_price is None
    assert all(brand.description for brand in Brand.objects.all())


def test_fields_carry_units_directions_and_flags():
    call_command("load_demo")
    weight = SpecField.objects.get(name="Weight")
    node = SpecField.objects.get(name="Process node")
    assert (weight.unit, weight.direction, weight.filterable) == ("g", "lower", True)
    assert (node.unit, node.direction) == ("nm", "lower")
    assert SpecField.objects.get(name="5G").kind == "yes-no"
    for category in Category.objects.all():
        assert SpecField.objects.filter(categories=category, key=True).count() >= 3
