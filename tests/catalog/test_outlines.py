"""Outlines drawn to scale from Dimensions, where a device has no photo."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from catalog import outlines
from catalog.demo import load_catalog
from catalog.models import Category, Device, SpecField
from catalog.units import parse_dimensions
from tests.factories import CategoryFactory, DeviceFactory, SpecFieldFactory, SpecValueFactory


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("162.1 x 76.4 x 8.6 mm", (162.1, 76.4, 8.6)),
        ("162.1 × 76.4 × 8.6 mm (6.38 × 3.01 × 0.34 in)", (162.1, 76.4, 8.6)),
        ("324.3mm x 225.1mm x 12.9mm", (324.3, 225.1, 12.9)),
        ("162.1x76.4x8.6mm", (162.1, 76.4, 8.6)),
        ("320.4 x 214.6 x 15.6-17.7 mm", (320.4, 214.6, 15.6)),
        ("15.6 cm x 7 cm x 8 mm", (156.0, 70.0, 8.0)),
        ("6.38 x 3.01 x 0.34 in", (162.052, 76.454, 8.636)),
    ],
)
def test_dimensions_are_read_in_millimetres(text, sizes):
    assert parse_dimensions(text) == pytest.approx(sizes)


@pytest.mark.parametrize(
    "text", ["", "TBA", "162 x 76", "162 x 76 x 8 kg", "0 x 0 x 0 mm", "9000 x 76 x 8 mm"]
)
def test_text_that_is_no_size_gives_none_never_an_error(text):
    assert parse_dimensions(text) is None


@pytest.mark.parametrize("kind", Category.Kind.values)
def test_a_category_is_drawn_as_its_kind_whatever_its_name(db, kind):
    # Names that once decided it, now saying the opposite.
    assert outlines.kind_of(CategoryFactory(name="Smartwatch laptops", kind=kind)) == kind
    assert outlines.kind_of(None) == "other"


@pytest.fixture
def dimensions(db):
    return SpecFieldFactory(name="Dimensions", role=SpecField.Role.DIMENSIONS)


# The kinds of the categories these tests use, as the demo catalog gives them.
KINDS = {"Phones": "phone", "Laptops": "laptop", "Chipsets": "chip"}


def sized(name, category, text, dimensions):
    category = CategoryFactory(name=category, kind=KINDS[category])
    device = DeviceFactory(name=name, category=category)
    SpecValueFactory(device=device, field=dimensions, value=text)
    return Device.objects.with_key_specs().get(pk=device.pk)


def test_a_phone_stands_upright_and_a_laptop_lies_wide(dimensions):
    phone = outlines.outline_of(sized("P", "Phones", "162.1 x 76.4 x 8.6 mm", dimensions))
    laptop = outlines.outline_of(sized("L", "Laptops", "324.3 x 225.1 x 12.9 mm", dimensions))
    assert (phone.width, phone.height, phone.depth) == (76.4, 162.1, 8.6)
    assert (laptop.width, laptop.height, laptop.depth) == (324.3, 225.1, 12.9)
    assert phone.size_text == "76.4 × 162.1 × 8.6 mm"
    assert phone.label == "P, drawn to scale: 76.4 × 162.1 × 8.6 mm"


def test_a_chip_gets_a_package_glyph_and_an_unknown_size_its_category_glyph(dimensions):
    chip = outlines.outline_of(sized("X Elite", "Chipsets", "12 x 12 x 1 mm", dimensions))
    assert (chip.kind, chip.glyph, chip.label) == ("chip", True, "X Elite: chip package")
    phone = outlines.outline_of(sized("Q", "Phones", "soon", dimensions))
    assert (phone.kind, phone.glyph) == ("phone", True)


def test_cards_share_one_scale_so_a_phone_is_drawn_smaller_than_a_laptop(dimensions):
    phone = outlines.framed(sized("P", "Phones", "162.1 x 76.4 x 8.6 mm", dimensions), "card")
    laptop = outlines.framed(sized("L", "Laptops", "324.3 x 225.1 x 12.9 mm", dimensions), "card")
    assert phone.view_box == laptop.view_box == "0 0 500 250"
    assert (phone.px_width, phone.px_height) == ("320", "160")
    assert phone.offset == "211.8 43.95"  # centred


def test_the_card_query_loads_the_dimensions_with_the_key_specs(
    dimensions, django_assert_num_queries
):
    device = DeviceFactory(category=CategoryFactory(name="Phones"))
    ram = SpecValueFactory(device=device, field=SpecFieldFactory(name="RAM", key=True))
    SpecValueFactory(device=device, field=dimensions, value="162.1 x 76.4 x 8.6 mm")
    with django_assert_num_queries(2):
        [loaded] = Device.objects.with_key_specs()
        assert loaded.key_specs == [ram]
        assert outlines.dimensions_text(loaded) == "162.1 x 76.4 x 8.6 mm"


def test_a_device_loaded_without_its_specs_gets_a_glyph_without_a_query(
    dimensions, django_assert_num_queries
):
    device = sized("P", "Phones", "162.1 x 76.4 x 8.6 mm", dimensions)
    bare = Device.objects.with_related().get(pk=device.pk)
    with django_assert_num_queries(0):
        assert outlines.outline_of(bare).glyph


def test_the_size_comparison_draws_every_outline_at_one_scale(dimensions):
    phone = sized("Phone", "Phones", "162.1 x 76.4 x 8.6 mm", dimensions)
    laptop = sized("Laptop", "Laptops", "324.3 x 225.1 x 12.9 mm", dimensions)
    chip = sized("Chip", "Chipsets", "", dimensions)
    unknown = sized("Secret", "Phones", "", dimensions)
    sizes = outlines.size_comparison([phone, laptop, chip, unknown])
    assert [o.slug for o in sizes["items"]] == [phone.slug, laptop.slug]
    assert sizes["chips"] == [chip] and sizes["unknown"] == [unknown]
    widths = [float(o.px_width.removesuffix("em")) for o in sizes["items"]]
    heights = [float(o.px_height.removesuffix("em")) for o in sizes["items"]]
    assert widths[1] / widths[0] == pytest.approx(324.3 / 76.4, rel=1e-3)
    assert heights[1] / heights[0] == pytest.approx(225.1 / 162.1, rel=1e-3)
    assert max(heights) == pytest.approx(10) or max(widths) == pytest.approx(16)
    html = render_to_string("includes/size_comparison.html", {"devices": [phone, laptop, chip]})
    assert re.findall(r'data-outline="([^"]+)"', html) == [phone.slug, laptop.slug]
    assert "Chips are not drawn: Chip." in html
    assert "style=" not in html  # the CSP allows no inline style


def test_without_a_size_to_draw_the_comparison_draws_nothing(dimensions):
    chip = sized("Chip", "Chipsets", "", dimensions)
    assert render_to_string("includes/size_comparison.html", {"devices": [chip]}).strip() == ""


def test_catalog_cards_show_outlines_instead_of_initials(client, dimensions):
    device = sized("Nothing Phone (2)", "Phones", "162.1 x 76.4 x 8.6 mm", dimensions)
    html = client.get(reverse("catalog:device-list")).text
    assert 'aria-label="Nothing Phone (2), drawn to scale: 76.4 × 162.1 × 8.6 mm"' in html
    assert 'viewBox="0 0 500 250" width="320" height="160"' in html
    assert '<rect class="outline__body" x="0" y="0" width="76.4" height="162.1"' in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert device.name in html


@pytest.mark.django_db(transaction=True)
def test_the_demo_phone_is_drawn_from_its_dimensions_and_chips_as_packages(client):
    load_catalog()
    html = client.get("/devices/nothing-phone-2/").text
    assert "Drawn to scale: 76.4 × 162.1 × 8.6 mm" in html
    chip = client.get("/devices/qualcomm-snapdragon-8-plus-gen-1/").text
    assert 'aria-label="Qualcomm Snapdragon 8+ Gen 1: chip package"' in chip


def test_comparison_pages_draw_the_devices_sizes(client, dimensions):
    phone = sized("Phone", "Phones", "162.1 x 76.4 x 8.6 mm", dimensions)
    laptop = sized("Laptop", "Laptops", "324.3 x 225.1 x 12.9 mm", dimensions)
    key = "-vs-".join(sorted([phone.slug, laptop.slug]))
    shared = client.get(f"/compare/{key}/").text
    assert set(re.findall(r'data-outline="([^"]+)"', shared)) == {phone.slug, laptop.slug}
    for device in (phone, laptop):
        client.post("/compare/add/", {"device": device.slug})
    own = client.get("/compare/").text
    assert set(re.findall(r'data-outline="([^"]+)"', own)) == {phone.slug, laptop.slug}
