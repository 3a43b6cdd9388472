import datetime
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from catalog.demo import load_catalog
from catalog.io import CatalogError, export_catalog, import_catalog, parse_json
from catalog.io.plan import _Planner
from catalog.management.commands import import_catalog as import_command
from catalog.models import Brand, Category, Device, DevicePhoto, SpecField, SpecGroup, SpecValue
from core import images
from core.content import content_version
from tests.core.test_images import gps_exif, has_gps, hollow_jpeg, png
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db

BATTERY = {
    "group": "Battery",
    "name": "Battery capacity",
    "unit": "mAh",
    "kind": "number",
    "direction": "higher",
    "categories": ["Phones"],
}
WEIGHT = {"group": "Body", "name": "Weight", "unit": "g", "kind": "number", "direction": "lower"}
PHONE = {
    "name": "Nothing Phone (2)",
    "slug": "nothing-phone-2",
    "brand": "Nothing",
    "category": "Phones",
    "released": "2023-07",
    "specs": {
        "Battery capacity": {
            "value": "4700 mAh",
            "number": 4700,
            "source": "https://example.com/nothing-phone-2-specs",
        },
        "IP rating": "IP54",
    },
}
IP_RATING = {"group": "Body", "name": "IP rating", "kind": "text", "categories": ["Phones"]}


def catalog(devices=(), fields=(BATTERY, IP_RATING), **extra):
    return {"devices": list(devices), "fields": list(fields), **extra}


def errors_of(data):
    with pytest.raises(CatalogError) as caught:
        import_catalog(data)
    return caught.value.errors


def specs_of(slug):
    return {
        name: (value, number)
        for name, value, number in SpecValue.objects.filter(device__slug=slug).values_list(
            "field__name", "value", "number"
        )
    }


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in WRITES]


WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE"}


@pytest.fixture
def phones():
    return CategoryFactory(name="Phones")


# The format


def test_the_spec_example_imports_devices_fields_and_brands(phones):
    result = import_catalog(catalog([PHONE]))
    phone = Device.objects.get(slug="nothing-phone-2")
    assert (phone.brand.name, phone.category, phone.released_iso) == ("Nothing", phones, "2023-07")
    assert specs_of("nothing-phone-2") == {
        "Battery capacity": ("4700 mAh", 4700),
        "IP rating": ("IP54", None),
    }
    battery = phone.specs.get(field__name="Battery capacity")
    assert battery.source == "https://example.com/nothing-phone-2-specs"
    field = SpecField.objects.get(name="Battery capacity")
    assert (field.group.name, field.unit, field.kind, field.direction) == (
        "Battery",
        "mAh",
        "number",
        "higher",
    )
    assert list(field.categories.all()) == [phones]
    assert str(result) == (
        "1 device (1 new, 0 updated, 0 unchanged), 2 new fields, 0 changed fields, 1 new brand"
    )


def test_a_number_is_read_from_the_text_in_the_fields_unit_when_not_given(phones):
    ram = {"group": "Memory", "name": "RAM", "kind": "number", "unit": "GB"}
    phone = dict(PHONE, specs={"Battery capacity": "4,700 mAh", "RAM": "8 GB / 12 GB"})
    import_catalog(catalog([phone], fields=[BATTERY, ram]))
    assert specs_of("nothing-phone-2") == {
        "Battery capacity": ("4,700 mAh", 4700),
        "RAM": ("8 GB / 12 GB", 12),
    }


@pytest.mark.parametrize(
    ("text", "number"), [("1,370 g", 1370), ("1.37kg", 1370), ("1.37 kg", 1370), ("201.2 g", 201.2)]
)
def test_weights_are_converted_into_grams(phones, text, number):
    import_catalog(catalog([dict(PHONE, specs={"Weight": text})], fields=[WEIGHT]))
    assert specs_of("nothing-phone-2") == {"Weight": (text, number)}


def test_an_explicit_number_wins_over_the_text_and_null_keeps_the_text_alone(phones):
    phone = dict(
        PHONE,
        specs={
            "Weight": {"value": "about a kilo", "number": 1000},
            "Battery capacity": {"value": "Removable Li-Ion battery", "number": None},
        },
    )
    import_catalog(catalog([phone], fields=[BATTERY, WEIGHT]))
    assert specs_of("nothing-phone-2") == {
        "Weight": ("about a kilo", 1000),
        "Battery capacity": ("Removable Li-Ion battery", None),
    }


def test_a_tiny_number_is_kept(phones):
    ram = {"group": "Memory", "name": "RAM", "kind": "number", "unit": "GB"}
    phone = dict(PHONE, specs={"RAM": {"value": "20 KB RAM", "number": 1.9e-05}})
    import_catalog(catalog([phone], fields=[ram]))
    assert specs_of("nothing-phone-2") == {"RAM": ("20 KB RAM", 1.9e-05)}


def test_yes_no_values_accept_words_and_booleans(phones):
    five_g = {"group": "Connectivity", "name": "5G", "kind": "yes-no"}
    nfc = {"group": "Connectivity", "name": "NFC", "kind": "yes-no"}
    phone = dict(PHONE, specs={"5G": True, "NFC": "no"})
    import_catalog(catalog([phone], fields=[five_g, nfc]))
    assert dict(SpecValue.objects.values_list("field__name", "value")) == {"5G": "Yes", "NFC": "No"}


def test_a_value_may_be_up_to_2000_characters(phones):
    long_text = '50 MP, f/1.9, (wide), 1/1.56", 1.0µm, PDAF, OIS ' * 40
    long_text = long_text[:2000].strip()
    import_catalog(catalog([dict(PHONE, specs={"IP rating": long_text})], fields=[IP_RATING]))
    assert SpecValue.objects.get().value == long_text
    errors = errors_of(catalog([dict(PHONE, specs={"IP rating": "x" * 2001})], fields=[]))
    assert errors == [
        "device 0 (nothing-phone-2): 'value' of 'IP rating' is longer than 2000 characters"
    ]


def test_categories_listed_in_the_file_are_created():
    import_catalog(catalog([PHONE], categories=["Phones", "Laptops"]))
    assert list(Category.objects.values_list("name", "slug")) == [
        ("Phones", "phones"),
        ("Laptops", "laptops"),
    ]


def test_powered_by_may_point_to_a_device_later_in_the_file(phones):
    chipsets = CategoryFactory(name="Chipsets")
    phone = dict(PHONE, powered_by="qualcomm-snapdragon-8-plus-gen-1")
    chip = {
        "name": "Snapdragon 8+ Gen 1",
        "slug": "qualcomm-snapdragon-8-plus-gen-1",
        "brand": "Qualcomm",
        "category": chipsets.name,
    }
    import_catalog(catalog([phone, chip]))
    assert Device.objects.get(slug="nothing-phone-2").powered_by.name == "Snapdragon 8+ Gen 1"


def test_an_existing_device_is_updated_in_place(phones):
    import_catalog(catalog([PHONE]))
    phone = Device.objects.get(slug="nothing-phone-2")
    ip_value = phone.specs.get(field__name="IP rating")
    update = {
        "slug": "nothing-phone-2",
        "launch_price": 599,
        "specs": {"Battery capacity": "4800 mAh"},
    }
    result = import_catalog(catalog([update], fields=[]))
    phone.refresh_from_db()
    assert Device.objects.count() == 1
    assert (phone.name, str(phone.launch_price)) == ("Nothing Phone (2)", "599.00")
    assert dict(phone.specs.values_list("field__name", "number")) == {
        "Battery capacity": 4800,
        "IP rating": None,
    }
    assert phone.specs.get(field__name="IP rating").pk == ip_value.pk
    assert str(result) == (
        "1 device (0 new, 1 updated, 0 unchanged), 0 new fields, 0 changed fields, 0 new brands"
    )


def test_null_removes_a_spec_value(phones):
    import_catalog(catalog([PHONE]))
    import_catalog(catalog([{"slug": "nothing-phone-2", "specs": {"IP rating": None}}], []))
    assert list(SpecValue.objects.values_list("field__name", flat=True)) == ["Battery capacity"]


# Dates at the precision known


@pytest.mark.parametrize(
    ("released", "date", "precision", "text"),
    [
        ("2008", datetime.date(2008, 1, 1), "year", "2008"),
        ("2019-03", datetime.date(2019, 3, 1), "month", "March 2019"),
        ("2019-03-07", datetime.date(2019, 3, 7), "day", "7 March 2019"),
        ("2024-02-29", datetime.date(2024, 2, 29), "day", "29 February 2024"),
    ],
)
def test_a_release_date_keeps_the_precision_the_file_gives(phones, released, date, precision, text):
    import_catalog(catalog([dict(PHONE, released=released)]))
    phone = Device.objects.get()
    assert (phone.released, phone.released_precision, phone.released_text) == (
        date,
        precision,
        text,
    )
    [exported] = export_catalog()["devices"]
    assert exported["released"] == released


@pytest.mark.parametrize(
    "released", ["2023-13", "2023-00", "2023-02-30", "2023-7", "23", "2023/07", "0000", 2023]
)
def test_a_release_date_that_is_no_date_is_refused(phones, released):
    assert errors_of(catalog([dict(PHONE, released=released)])) == [
        "device 0 (nothing-phone-2): 'released' must be a date: YYYY, YYYY-MM or YYYY-MM-DD, "
        f"not {json.dumps(released)}"
    ]


def test_a_more_precise_date_updates_the_device(phones):
    import_catalog(catalog([PHONE]))
    result = import_catalog(catalog([{"slug": "nothing-phone-2", "released": "2023-07-17"}], []))
    phone = Device.objects.get()
    assert (phone.released_iso, result.devices_updated) == ("2023-07-17", ["nothing-phone-2"])


# Matching brands, categories and fields


def test_a_brand_is_matched_ignoring_case_and_accents_and_keeps_its_spelling(phones):
    mediatek = BrandFactory(name="MediaTek")
    toshiba = BrandFactory(name="Portégé Works", slug="portege-works")
    devices = [
        dict(PHONE, slug="one", brand="Mediatek"),
        dict(PHONE, slug="two", brand="MEDIATEK"),
        dict(PHONE, slug="three", brand="portege works"),
    ]
    result = import_catalog(catalog(devices))
    assert Brand.objects.count() == 2
    assert [d.brand for d in Device.objects.order_by("slug")] == [mediatek, toshiba, mediatek]
    assert result.new_brands == []


def test_a_brand_is_matched_by_its_slug(phones):
    hp = BrandFactory(name="HP", slug="hewlett-packard")
    import_catalog(catalog([dict(PHONE, brand="hewlett-packard")]))
    assert Device.objects.get().brand == hp


def test_spellings_of_one_new_brand_in_a_file_make_one_brand_the_first_spelling(phones):
    devices = [dict(PHONE, slug="one", brand="NVIDIA"), dict(PHONE, slug="two", brand="Nvidia")]
    result = import_catalog(catalog(devices))
    assert list(Brand.objects.values_list("name", flat=True)) == ["NVIDIA"]
    assert result.new_brands == ["NVIDIA"]


def test_a_category_is_matched_by_name_or_slug_ignoring_case_and_accents():
    notebooks = CategoryFactory(name="Notebooks", slug="laptops")
    phones = CategoryFactory(name="Phones")
    devices = [
        dict(PHONE, slug="one", category="phones"),
        dict(PHONE, slug="two", category="PHÔNES"),
        dict(PHONE, slug="three", category="laptops"),
    ]
    field = dict(BATTERY, categories=["phones", "Laptops"])
    import_catalog(catalog(devices, fields=[field, IP_RATING], categories=["PHONES"]))
    assert Category.objects.count() == 2
    assert [d.category for d in Device.objects.order_by("slug")] == [phones, notebooks, phones]
    assert set(SpecField.objects.get(name="Battery capacity").categories.all()) == {
        phones,
        notebooks,
    }


def test_fields_are_matched_by_name_ignoring_case(phones):
    field = SpecFieldFactory(name="Battery capacity", kind="number", unit="mAh")
    import_catalog(catalog([dict(PHONE, specs={"battery CAPACITY": "5000 mAh"})], fields=[]))
    assert SpecValue.objects.get().field == field
    assert SpecField.objects.count() == 1


# Imports never take away silently


def test_a_file_adds_categories_to_a_field_and_never_takes_them_away(phones):
    laptops, chipsets = CategoryFactory(name="Laptops"), CategoryFactory(name="Chipsets")
    field = SpecFieldFactory(
        name="Battery capacity", kind="number", unit="mAh", categories=[phones, laptops]
    )
    fewer = {"name": "Battery capacity", "categories": ["Phones"]}
    result = import_catalog(catalog(fields=[fewer]))
    assert set(field.categories.all()) == {phones, laptops}
    assert result.field_changes == []
    result = import_catalog(catalog(fields=[dict(fewer, categories=["Chipsets"])]))
    assert set(field.categories.all()) == {phones, laptops, chipsets}
    assert result.field_changes == [
        "Battery capacity: categories Laptops, Phones → Chipsets, Laptops, Phones"
    ]


def test_flags_order_direction_and_group_change_only_when_the_file_gives_them(phones):
    body = SpecGroupFactory(name="Body")
    field = SpecFieldFactory(
        name="Weight",
        group=body,
        kind="number",
        unit="g",
        direction="lower",
        order=7,
        filterable=True,
        key=True,
    )
    result = import_catalog(catalog(fields=[{"name": "Weight"}]))
    field.refresh_from_db()
    assert (field.group, field.direction, field.order, field.filterable, field.key) == (
        body,
        "lower",
        7,
        True,
        True,
    )
    assert result.field_changes == []
    changed = {"name": "Weight", "group": "Physical", "order": 3, "key": False}
    result = import_catalog(catalog(fields=[changed]))
    field.refresh_from_db()
    assert (field.group.name, field.order, field.filterable, field.key) == (
        "Physical",
        3,
        True,
        False,
    )
    assert result.field_changes == ["Weight: group Body → Physical; order 7 → 3; key true → false"]


def test_a_unit_change_within_its_family_converts_the_stored_numbers(phones):
    field = SpecFieldFactory(name="Weight", kind="number", unit="kg")
    laptop = SpecValueFactory(field=field, value="1.28 kg")
    assert laptop.number == 1.28
    changed_at = laptop.changed_at
    result = import_catalog(catalog(fields=[{"name": "Weight", "unit": "g"}]))
    laptop.refresh_from_db()
    field.refresh_from_db()
    assert (field.unit, laptop.value, laptop.number) == ("g", "1.28 kg", 1280)
    assert laptop.changed_at == changed_at
    assert result.field_changes == ["Weight: unit kg → g"]
    assert result.values_converted == 1


def test_a_unit_change_and_new_values_in_one_file_read_the_values_in_the_new_unit(phones):
    SpecFieldFactory(name="Weight", kind="number", unit="kg")
    import_catalog(catalog([dict(PHONE, specs={"Weight": "201 g"})], fields=[WEIGHT]))
    assert specs_of("nothing-phone-2") == {"Weight": ("201 g", 201)}


@pytest.mark.parametrize(
    ("old", "new"), [("g", "mAh"), ("", "g"), ("kg", ""), ("TOPS", "GB")], ids=repr
)
def test_a_unit_change_across_families_is_refused(phones, old, new):
    field = SpecFieldFactory(name="Weight", kind="number", unit=old)
    errors = errors_of(catalog(fields=[{"name": "Weight", "unit": new}]))
    assert errors == [
        f"field 0 (Weight): the unit of 'Weight' cannot change from {old or '(none)'} to "
        f"{new or '(none)'}: a file may change a unit only within its family (kg → g, "
        "GHz → MHz), converting the stored numbers"
    ]
    field.refresh_from_db()
    assert field.unit == old


def test_a_file_cannot_change_the_kind_of_a_field(phones):
    SpecFieldFactory(name="Battery capacity", kind="text")
    assert errors_of(catalog(fields=[BATTERY])) == [
        "field 0 (Battery capacity): 'Battery capacity' is a text field; a file cannot change "
        "its kind (to number)"
    ]
    assert SpecField.objects.get().kind == "text"


# Category kinds and field roles: what code reads instead of names

DIMENSIONS = {"group": "Body", "name": "Size", "kind": "text", "role": "dimensions"}


def test_a_file_gives_categories_their_kind_and_a_field_its_role():
    categories = [{"name": "Handsets", "kind": "phone"}, {"name": "Gadgets"}, "Laptops"]
    import_catalog(catalog(fields=[DIMENSIONS, WEIGHT], categories=categories))
    assert list(Category.objects.values_list("name", "kind")) == [
        ("Handsets", "phone"),
        ("Gadgets", "other"),
        ("Laptops", "other"),
    ]
    assert dict(SpecField.objects.values_list("name", "role")) == {
        "Size": "dimensions",
        "Weight": "",
    }
    exported = export_catalog()
    assert exported["categories"][0] == {"name": "Handsets", "kind": "phone"}
    assert {f["name"]: f["role"] for f in exported["fields"]} == {
        "Size": "dimensions",
        "Weight": "",
    }


def test_a_file_sets_the_kind_of_a_stored_category_and_says_so(phones):
    result = import_catalog(catalog(categories=[{"name": "PHONES", "kind": "phone"}]))
    assert "Changed categories (1):" in result.report()
    assert "  Phones: kind other → phone" in result.report()
    phones.refresh_from_db()
    assert phones.kind == "phone"
    # A category listed without a kind keeps it.
    assert not import_catalog(catalog(categories=["Phones"])).category_changes
    phones.refresh_from_db()
    assert phones.kind == "phone"


def test_a_category_listed_with_two_kinds_is_refused():
    categories = [{"name": "Phones", "kind": "phone"}, {"name": "phones", "kind": "tablet"}]
    assert errors_of(catalog(categories=categories)) == [
        "the file: 'categories' lists 'Phones' with two kinds (phone and tablet)"
    ]
    assert not Category.objects.exists()


def test_a_file_cannot_give_a_second_field_the_dimensions_role_but_may_move_it(phones):
    SpecFieldFactory(name="Dimensions", role="dimensions")
    assert errors_of(catalog(fields=[DIMENSIONS])) == [
        "fields 'Dimensions', 'Size' would all have the role dimensions: at most one field may"
    ]
    assert not SpecField.objects.filter(name="Size").exists()
    moved = [{"name": "Dimensions", "role": ""}, DIMENSIONS]
    result = import_catalog(catalog(fields=moved))
    assert result.field_changes == ["Dimensions: role dimensions → (none)"]
    assert SpecField.objects.get(role="dimensions").name == "Size"


# Dry runs and unchanged imports


def row_state():
    return {
        "devices": list(Device.objects.values_list("slug", "name", "brand__name", "released")),
        "values": list(SpecValue.objects.values_list("pk", "value", "number", "source")),
        "fields": list(SpecField.objects.values_list("name", "unit", "order", "group__name")),
        "links": list(SpecField.categories.through.objects.values_list("pk", flat=True)),
        "brands": list(Brand.objects.values_list("name", flat=True)),
        "categories": list(Category.objects.values_list("name", flat=True)),
    }


def test_a_dry_run_prints_what_would_change_and_changes_nothing(phones, tmp_path, capsys):
    laptops = CategoryFactory(name="Laptops")
    body = SpecGroupFactory(name="Body")
    SpecFieldFactory(name="Weight", group=body, kind="number", unit="kg", categories=[laptops])
    import_catalog(catalog([dict(PHONE, slug="old-phone", brand="Old")]))
    before = row_state()
    path = tmp_path / "catalog.json"
    colour = {"name": "Colour", "group": "Body", "kind": "text"}
    fields = [BATTERY, IP_RATING, dict(WEIGHT, categories=["Phones"]), colour]
    changed_phone = {"slug": "old-phone", "specs": {"IP rating": "IP68"}}
    path.write_text(json.dumps(catalog([PHONE, changed_phone], fields=fields)))
    call_command("import_catalog", str(path), "--dry-run")
    out = capsys.readouterr().out.splitlines()
    assert row_state() == before
    assert out == [
        "Dry run, nothing written: 2 devices (1 new, 1 updated, 0 unchanged), 1 new field, "
        "1 changed field, 1 new brand",
        "Spec values: 2 new, 1 changed, 0 removed",
        "New fields (1): Colour",
        "New brands (1): Nothing",
        "Changed fields (1):",
        "  Weight: unit kg → g; direction none → lower; categories Laptops → Laptops, Phones",
        "Updated devices: old-phone",
    ]
    call_command("import_catalog", str(path))
    assert capsys.readouterr().out.splitlines() == [
        out[0].replace("Dry run, nothing written: ", "Imported "),
        *out[1:],
    ]
    assert row_state() != before


def test_an_unchanged_reimport_writes_nothing_and_says_so(phones, committed):
    chip = {"name": "Chip", "slug": "chip", "brand": "Qualcomm", "category": "Phones"}
    data = catalog(
        [dict(PHONE, powered_by="chip", launch_price=599.99, summary="Glyphs."), chip],
        brands=[{"name": "Nothing", "description": "London."}],
        categories=["Phones"],
        groups=["Battery"],
    )
    import_catalog(data)
    changed_at = SpecValue.objects.values_list("changed_at", flat=True).first()
    before = content_version()
    with committed(), CaptureQueriesContext(connection) as queries:
        result = import_catalog(json.loads(json.dumps(data)))
    assert writes(queries.captured_queries) == []
    assert len(queries.captured_queries) < 20
    assert result.devices_unchanged == 2
    assert not result.changed
    assert str(result) == (
        "2 devices (0 new, 0 updated, 2 unchanged), 0 new fields, 0 changed fields, 0 new brands"
    )
    assert content_version() == before
    assert SpecValue.objects.values_list("changed_at", flat=True).first() == changed_at


def test_only_changed_values_get_a_new_changed_at(phones):
    import_catalog(catalog([PHONE]))
    stamps = dict(SpecValue.objects.values_list("field__name", "changed_at"))
    update = {"slug": "nothing-phone-2", "specs": {**PHONE["specs"], "IP rating": "IP68"}}
    import_catalog(catalog([update], fields=[]))
    after = dict(SpecValue.objects.values_list("field__name", "changed_at"))
    assert after["Battery capacity"] == stamps["Battery capacity"]
    assert after["IP rating"] > stamps["IP rating"]


# Numbers refused, naming the device and the field


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (float("nan"), "the value must be a finite number, not nan"),
        (float("inf"), "the value must be a finite number, not inf"),
        (1e308, "the value 1e+308 is too large (at most 1e+09)"),
        ({"value": "x", "number": float("nan")}, "the number of Weight must be a finite number"),
        ({"value": "x", "number": float("-inf")}, "the number of Weight must be a finite number"),
        ({"value": "x", "number": 1e308}, "the number of Weight 1e+308 is too large"),
        ("1e308 g", "the number 1e+308 is too large (at most 1e+09)"),
        ("12 qt", "unknown unit “qt” in “12 qt”: use g, kg, mg, t, lb, oz or st"),
        ("heavy", "Weight is a number: “heavy” holds none"),
    ],
    ids=repr,
)
def test_a_number_that_cannot_be_stored_is_refused_naming_device_and_field(phones, value, error):
    [message] = errors_of(catalog([dict(PHONE, specs={"Weight": value})], fields=[WEIGHT]))
    assert message.startswith(f"device 0 (nothing-phone-2): field 'Weight': {error}")


def test_nan_and_infinity_in_a_json_file_are_refused(phones):
    text = json.dumps(catalog([dict(PHONE, specs={"Weight": 1})], fields=[WEIGHT]))
    for literal in ("NaN", "Infinity", "-Infinity"):
        data = parse_json(text.replace('"Weight": 1', f'"Weight": {literal}'))
        [message] = errors_of(data)
        assert message.startswith("device 0 (nothing-phone-2): field 'Weight': the value must be")


# Malformed files: one line each, never a traceback


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ([], 'the file must hold a JSON object with "devices" and "fields"'),
        ("devices", 'the file must hold a JSON object with "devices" and "fields"'),
        ({"devices": "x"}, "the file: 'devices' must be a list of device objects, not \"x\""),
        ({"categories": [["Phones"]]}, "the file: 'categories' item 0 must be a category name"),
        ({"categories": [5]}, "the file: 'categories' item 0 must be a category name, not 5"),
        (
            {"categories": [{"name": "Phones", "x": 1}]},
            "the file: unknown key 'x' in 'categories' item 0",
        ),
        ({"categories": [{"kind": "phone"}]}, "the file: 'categories' item 0 'name' is missing"),
        (
            {"categories": [{"name": "Phones", "kind": "robot"}]},
            "the file: 'categories' item 0 'kind' must be one of phone, tablet, laptop, watch, "
            'chip, other, not "robot"',
        ),
        (
            {"fields": [dict(BATTERY, role="size")]},
            'field 0 (Battery capacity): \'role\' must be "" (none) or dimensions, not "size"',
        ),
        ({"colour": 1}, "the file: unknown key 'colour'"),
        ({"devices": [[1, 2]]}, "device 0: must be an object, not a list"),
        ({"devices": [None]}, "device 0: must be an object, not null"),
        ({"fields": ["Weight"]}, 'field 0: must be an object, not "Weight"'),
        ({"brands": [{"name": ["x"]}]}, "brand 0: 'name' must be a name (text), not a list"),
        (
            {"devices": [dict(PHONE, powered_by={"x": 1})]},
            "device 0 (nothing-phone-2): 'powered_by' must be a device slug, not an object",
        ),
        (
            {"devices": [dict(PHONE, specs=[])]},
            "device 0 (nothing-phone-2): 'specs' must be an object of field name to value",
        ),
        (
            {"devices": [dict(PHONE, specs={"IP rating": [["IP54"]]})]},
            "device 0 (nothing-phone-2): the value of 'IP rating' must be text, a number, "
            'true/false or an object with "value", not a list',
        ),
        (
            {"devices": [dict(PHONE, specs={"IP rating": {"value": {"v": 1}}})]},
            "device 0 (nothing-phone-2): 'value' of 'IP rating' must be text, a number or "
            "true/false, not an object",
        ),
        (
            {"devices": [dict(PHONE, specs={"IP rating": {"source": "Maker"}})]},
            "device 0 (nothing-phone-2): 'value' of 'IP rating' is missing",
        ),
        ({"devices": [dict(PHONE, name=5)]}, "device 0 (nothing-phone-2): 'name' must be a name"),
        ({"devices": [dict(PHONE, slug=5)]}, "device 0: 'slug' must be a slug"),
        ({"devices": [dict(PHONE, released=[2023])]}, "device 0 (nothing-phone-2): 'released'"),
        (
            {"fields": [dict(BATTERY, categories=[["Phones"]])]},
            "field 0 (Battery capacity): 'categories' item 0 must be a category name, not a list",
        ),
        ({"fields": [dict(BATTERY, order=True)]}, "field 0 (Battery capacity): 'order' must be"),
        ({"fields": [dict(BATTERY, key="yes")]}, "field 0 (Battery capacity): 'key' must be true"),
        ({"devices": [dict(PHONE, name="a\x00b")]}, "device 0 (nothing-phone-2): 'name' holds"),
        ({"devices": [dict(PHONE, brand="\ud800")]}, "device 0 (nothing-phone-2): 'brand' must"),
        (
            {"devices": [dict(PHONE, specs={"IP rating": "IP\ud800"})]},
            "device 0 (nothing-phone-2): 'value' of 'IP rating' holds a character no database",
        ),
        ({"devices": [dict(PHONE, name="Two\nlines")]}, "device 0 (nothing-phone-2): 'name' holds"),
        ({"devices": [dict(PHONE, slug="x\ud800")]}, "device 0 (x\\ud800): 'slug' must be a slug"),
        (
            {"devices": [dict(PHONE, launch_price=10**400)]},
            "device 0 (nothing-phone-2): 'launch_price' must be a price in USD from 0 to "
            "9999999.99, not a number of more than 60 digits",
        ),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_a_malformed_file_gives_one_line_per_problem(phones, data, error):
    errors = errors_of(data)
    assert len(errors) == 1
    assert errors[0].startswith(error)
    assert "\n" not in errors[0]
    errors[0].encode("utf-8")  # printable: no lone surrogate reaches the terminal
    assert not Device.objects.exists()


def test_deep_nesting_is_reported_not_raised():
    with pytest.raises(CatalogError) as caught:
        parse_json("[" * 100_000 + "]" * 100_000)
    assert caught.value.errors == [
        "invalid JSON: nested too deeply (lists or objects inside each other)"
    ]


def test_a_number_too_long_to_read_is_reported():
    with pytest.raises(CatalogError) as caught:
        parse_json('{"devices": [' + "1" * 5000 + "]}")
    [error] = caught.value.errors
    assert error.startswith("invalid JSON: Exceeds the limit (4300 digits)")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"devices": [dict(PHONE, name="x" * 201)]}, "'name' is longer than 200 characters"),
        ({"devices": [dict(PHONE, brand="x" * 101)]}, "'brand' is longer than 100 characters"),
        ({"devices": [dict(PHONE, slug="x" * 201)]}, "'slug' is longer than 200 characters"),
        ({"categories": ["x" * 101]}, "'categories' item 0 is longer than 100 characters"),
        ({"fields": [dict(BATTERY, name="x" * 101)]}, "'name' is longer than 100 characters"),
        ({"fields": [dict(BATTERY, group="x" * 101)]}, "'group' is longer than 100 characters"),
        ({"fields": [dict(BATTERY, unit="x" * 21)]}, "'unit' is longer than 20 characters"),
        ({"brands": [{"name": "x" * 101}]}, "'name' is longer than 100 characters"),
        (
            {"devices": [dict(PHONE, specs={"IP rating": {"value": "IP54", "source": "x" * 501}})]},
            "'source' of 'IP rating' is longer than 500 characters",
        ),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_a_name_longer_than_its_column_is_refused_on_every_database(phones, data, error):
    fields = {"fields": [BATTERY, IP_RATING]} if "fields" not in data else {}
    [message] = errors_of({**fields, **data})
    assert message.endswith(error)
    assert not Device.objects.exists()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"specs": {"Colour": "Black"}}, "device 0 (nothing-phone-2): unknown field 'Colour'"),
        (
            {"specs": {"Battery capacity": "large"}},
            "device 0 (nothing-phone-2): field 'Battery capacity': Battery capacity is a number: "
            "“large” holds none",
        ),
        (
            {"specs": {"Battery capacity": {"value": "4700 mAh", "number": "lots"}}},
            "device 0 (nothing-phone-2): 'number' of 'Battery capacity' must be a number, "
            'not "lots"',
        ),
        (
            {"category": "Tablets"},
            "device 0 (nothing-phone-2): unknown category 'Tablets' "
            '(list new ones in "categories")',
        ),
        (
            {"powered_by": "no-such-chip"},
            "device 0 (nothing-phone-2): 'powered_by' names no device in the file or the "
            "catalog: 'no-such-chip'",
        ),
        ({"powered_by": "nothing-phone-2"}, "device 0 (nothing-phone-2): a device cannot power"),
        (
            {"slug": "phone-vs-phone"},
            "device 0 (phone-vs-phone): 'slug' cannot contain \"-vs-\" (comparison URLs split "
            "on it)",
        ),
        ({"slug": ""}, "device 0: 'slug' is empty"),
        ({"name": None}, "device 0 (nothing-phone-2): 'name' is missing (a new device needs it)"),
        ({"brand": "  "}, "device 0 (nothing-phone-2): 'brand' is empty"),
        (
            {"launch_price": "cheap"},
            "device 0 (nothing-phone-2): 'launch_price' must be a price in USD from 0 to "
            '9999999.99, not "cheap"',
        ),
        ({"launch_price": -1}, "device 0 (nothing-phone-2): 'launch_price' must be a price"),
        ({"colour": "black"}, "device 0 (nothing-phone-2): unknown key 'colour'"),
        (
            {"slug": "Nothing Phone"},
            "device 0 (Nothing Phone): 'slug' must be a slug (lower-case letters, digits and "
            'hyphens), not "Nothing Phone"',
        ),
        (
            {"specs": {"IP rating": {"value": "IP54", "changed_at": "2024-05-01T10:00:00"}}},
            "device 0 (nothing-phone-2): 'changed_at' of 'IP rating' needs a time zone",
        ),
        (
            {"specs": {"IP rating": {"value": "IP54", "number": 54}}},
            "device 0 (nothing-phone-2): field 'IP rating': a number is given, but this field "
            "is text",
        ),
    ],
    ids=repr,
)
def test_every_bad_device_entry_is_named_with_its_reason(phones, change, error):
    [message] = errors_of(catalog([dict(PHONE, **change)]))
    assert message.startswith(error)
    assert not Device.objects.exists()


def test_a_yes_no_field_refuses_other_words(phones):
    five_g = {"group": "Connectivity", "name": "5G", "kind": "yes-no"}
    errors = errors_of(catalog([dict(PHONE, specs={"5G": "maybe"})], fields=[five_g]))
    assert errors == [
        "device 0 (nothing-phone-2): field '5G': “maybe” is not yes or no: write Yes or No"
    ]


def test_a_field_with_an_unknown_category_is_named(phones):
    field = dict(BATTERY, categories=["Phones", "Tablets"])
    assert errors_of(catalog(fields=[field])) == [
        "field 0 (Battery capacity): unknown category 'Tablets' (list new ones in \"categories\")"
    ]


def test_a_new_field_needs_a_kind_and_a_group(phones):
    assert errors_of(catalog(fields=[{"name": "Colour"}])) == [
        'field 0 (Colour): a new field needs a "kind"',
        'field 0 (Colour): a new field needs a "group"',
    ]


def test_a_brand_listed_twice_in_two_spellings_is_named():
    brands = [{"name": "MediaTek"}, {"name": "Mediatek", "description": "Chips."}]
    assert errors_of(catalog(brands=brands, fields=[])) == [
        "brand 1 (Mediatek): listed twice (as 'MediaTek')"
    ]


def test_invalid_json_names_the_line():
    with pytest.raises(CatalogError) as caught:
        parse_json('{\n  "devices": [\n    {"slug": "x",}\n  ]\n}')
    [error] = caught.value.errors
    assert error.startswith("invalid JSON at line 3, column 17: ")


def test_every_error_is_listed_in_file_order_and_nothing_is_written(phones):
    good = dict(PHONE, slug="good-phone")
    bad = dict(PHONE, slug="bad-phone", category="Tablets", specs={"Colour": "Black"})
    also_bad = dict(PHONE, slug="other-vs-phone")
    errors = errors_of(catalog([good, bad, also_bad], categories=["Laptops"]))
    assert errors == [
        "device 1 (bad-phone): unknown category 'Tablets' (list new ones in \"categories\")",
        "device 1 (bad-phone): unknown field 'Colour'",
        "device 2 (other-vs-phone): 'slug' cannot contain \"-vs-\" (comparison URLs split on it)",
    ]
    assert not Device.objects.exists()
    assert not Brand.objects.exists()
    assert not SpecField.objects.exists()
    assert not SpecGroup.objects.exists()
    assert list(Category.objects.all()) == [phones]


def test_values_for_a_field_whose_own_entry_is_wrong_are_not_reported_again(phones):
    field = dict(BATTERY, kind="colour")
    errors = errors_of(catalog([PHONE], fields=[field, IP_RATING]))
    assert errors == [
        "field 0 (Battery capacity): 'kind' must be one of number, text, yes-no, not \"colour\""
    ]


# The commands


def test_import_command_prints_a_summary_and_bumps_the_content_version(
    phones, tmp_path, capsys, committed
):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog([PHONE])))
    before = content_version()
    with committed():
        call_command("import_catalog", str(path))
    out = capsys.readouterr().out
    assert "Imported 1 device (1 new, 0 updated, 0 unchanged), 2 new fields" in out
    assert "New brands (1): Nothing" in out
    assert content_version() != before


def test_import_command_fails_listing_every_error(phones, tmp_path):
    path = tmp_path / "catalog.json"
    bad = [dict(PHONE, category="Tablets"), dict(PHONE, slug="other", released="soon")]
    path.write_text(json.dumps(catalog(bad)))
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path))
    message = str(caught.value)
    assert "nothing imported, 2 problem(s)" in message
    assert "unknown category 'Tablets'" in message
    assert "'released' must be a date: YYYY, YYYY-MM or YYYY-MM-DD, not \"soon\"" in message
    assert not Device.objects.exists()


def test_import_command_reports_invalid_json_deep_nesting_and_missing_files(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text('{"devices": [}')
    with pytest.raises(CommandError, match="invalid JSON at line 1, column 14"):
        call_command("import_catalog", str(path))
    path.write_text("[" * 100_000)
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("import_catalog", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_catalog", str(tmp_path / "missing.json"))
    path.write_bytes(b'{"devices": ["\xff"]}')
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_catalog", str(path))


def test_import_command_refuses_a_file_over_its_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(import_command, "MAX_BYTES", 1024 * 1024)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"devices": [], "fields": [], "groups": ["x" * 2**20]}))
    with pytest.raises(CommandError, match="larger than 1 MB: split the catalog"):
        call_command("import_catalog", str(path))


def test_import_command_accepts_a_byte_order_mark(phones, tmp_path, capsys):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog([PHONE])), encoding="utf-8-sig")
    call_command("import_catalog", str(path))
    assert Device.objects.count() == 1


# Export


def test_export_writes_every_device_and_field_with_sources_and_dates():
    device = DeviceFactory(slug="pixel", launch_price="499.00", released=datetime.date(2019, 3, 1))
    Device.objects.filter(pk=device.pk).update(released_precision="month")
    field = SpecFieldFactory(name="RAM", kind="number", unit="GB", categories=[device.category])
    ram = SpecValueFactory(device=device, field=field, value="8 GB / 12 GB", source="Maker")
    weight = SpecValueFactory(
        device=device,
        field=SpecFieldFactory(name="Weight", kind="number", unit="g"),
        value="1.2 kg",
        number=1200,
    )
    data = export_catalog()
    [exported] = data["devices"]
    assert (exported["launch_price"], exported["released"]) == (499, "2019-03")
    assert exported["specs"] == {
        "RAM": {
            "value": "8 GB / 12 GB",
            "number": 12,
            "source": "Maker",
            "changed_at": ram.changed_at.isoformat(),
        },
        "Weight": {"value": "1.2 kg", "number": 1200, "changed_at": weight.changed_at.isoformat()},
    }
    assert {f["name"] for f in data["fields"]} == {"RAM", "Weight"}


def test_sources_and_change_dates_round_trip(phones):
    when = "2024-05-01T10:00:00+00:00"
    phone = dict(
        PHONE,
        specs={"IP rating": {"value": "IP54", "source": "https://example.com", "changed_at": when}},
    )
    import_catalog(catalog([phone]))
    value = SpecValue.objects.get()
    assert (value.source, value.changed_at.isoformat()) == ("https://example.com", when)
    assert export_catalog()["devices"][0]["specs"] == {
        "IP rating": {"value": "IP54", "source": "https://example.com", "changed_at": when}
    }


# transaction=True: PostgreSQL refuses flush's TRUNCATE inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_export_then_import_into_an_empty_database_gives_the_same_file(tmp_path, capsys):
    load_catalog()
    # Edge cases the demo lacks: a number field's value without a number, a source,
    # a year-only date.
    phone = Device.objects.get(slug="nothing-phone-2")
    SpecValue.objects.filter(device=phone, field__name="Wireless charging").update(
        value="n/a", number=None
    )
    SpecValue.objects.filter(device=phone, field__name="Weight").update(
        source="https://nothing.tech"
    )
    Device.objects.filter(slug="lenovo-yoga-slim-7x").update(
        released=datetime.date(2024, 1, 1), released_precision="year"
    )
    first = tmp_path / "first.json"
    call_command("export_catalog", str(first))
    call_command("flush", interactive=False)
    assert not Device.objects.exists()
    call_command("import_catalog", str(first))
    second = tmp_path / "second.json"
    call_command("export_catalog", str(second))
    assert second.read_text() == first.read_text()
    exported = {d["slug"]: d for d in json.loads(first.read_text())["devices"]}
    phone = exported["nothing-phone-2"]
    assert phone["specs"]["Wireless charging"]["number"] is None
    assert phone["specs"]["Weight"]["source"] == "https://nothing.tech"
    assert (phone["released"], exported["lenovo-yoga-slim-7x"]["released"]) == ("2023-07", "2024")
    capsys.readouterr()
    call_command("import_catalog", str(first))
    assert "(0 new, 0 updated, 6 unchanged)" in capsys.readouterr().out


# Photos: "images" paths relative to the catalog file.


def photo_files(root):
    """Every stored file under MEDIA_ROOT, relative to it."""
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


@pytest.fixture
def photo_dir(tmp_path):
    folder = tmp_path / "catalog"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "front.jpg").write_bytes(image_bytes(300, 400, exif=gps_exif()))
    (folder / "photos" / "back.png").write_bytes(image_bytes(200, 100, fmt="PNG"))
    return folder


def with_images(*images):
    return catalog([dict(PHONE, images=list(images))])


def test_images_are_imported_in_order_clean_with_their_copies(phones, photo_dir, settings):
    result = import_catalog(
        with_images("photos/front.jpg", {"path": "photos/back.png", "alt": "Back, white"}),
        base_dir=photo_dir,
    )
    assert (result.photos_new, result.photos_removed) == (2, 0)
    assert "Photos: 2 new, 0 removed" in result.report()
    front, back = DevicePhoto.objects.order_by("order")
    assert (front.alt, back.alt) == ("", "Back, white")
    assert (front.width, front.height) == (300, 400)
    device = Device.objects.get(slug="nothing-phone-2")
    assert device.image.name == front.image.name
    assert not has_gps(default_storage.open(front.image.name).read())
    assert len(photo_files(settings.MEDIA_ROOT)) == 2 * (1 + len(images.copy_names("x.jpg")))


def test_reimporting_unchanged_photos_writes_nothing(phones, photo_dir, settings, committed):
    data = with_images("photos/front.jpg", "photos/back.png")
    import_catalog(data, base_dir=photo_dir)
    stored = {
        p: Path(settings.MEDIA_ROOT, p).stat().st_mtime_ns for p in photo_files(settings.MEDIA_ROOT)
    }
    version = content_version()
    with CaptureQueriesContext(connection) as queries, committed():
        result = import_catalog(data, base_dir=photo_dir)
    assert writes(queries) == []
    assert (result.devices_unchanged, result.photos_new) == (1, 0)
    assert content_version() == version
    assert {
        p: Path(settings.MEDIA_ROOT, p).stat().st_mtime_ns for p in photo_files(settings.MEDIA_ROOT)
    } == stored


def test_a_new_order_or_a_removed_image_updates_the_device(phones, photo_dir, committed):
    import_catalog(with_images("photos/front.jpg", "photos/back.png"), base_dir=photo_dir)
    front, back = DevicePhoto.objects.order_by("order")
    result = import_catalog(with_images("photos/back.png"), base_dir=photo_dir)
    assert (result.photos_new, result.photos_removed, result.devices_updated) == (
        0,
        1,
        ["nothing-phone-2"],
    )
    assert list(DevicePhoto.objects.all()) == [back]
    assert Device.objects.get(slug="nothing-phone-2").image.name == back.image.name
    with committed():
        import_catalog(with_images(), base_dir=photo_dir)
    assert not DevicePhoto.objects.exists()
    # The imports' revisions still name the photo: its files stay until they go.
    assert default_storage.exists(back.image.name)
    with committed():
        Version.objects.all().delete()
    assert not default_storage.exists(back.image.name)


def test_a_bad_image_stops_the_import_naming_device_and_file(phones, photo_dir, settings):
    (photo_dir / "photos" / "poster.png").write_bytes(png(12_000, 12_000))
    (photo_dir / "photos" / "cut.jpg").write_bytes(image_bytes(640, 480)[:900])
    (photo_dir / "photos" / "tiny.png").write_bytes(png(6000, 6600, rgb=True))
    (photo_dir / "photos" / "hollow.jpg").write_bytes(hollow_jpeg(6000, 6600))
    data = with_images(
        "photos/front.jpg",
        "photos/poster.png",
        "photos/cut.jpg",
        "photos/tiny.png",
        "photos/hollow.jpg",
        "photos/none.jpg",
    )
    assert errors_of_in(data, photo_dir) == [
        "device 0 (nothing-phone-2): image 'photos/poster.png': photos/poster.png is "
        "12,000 × 12,000 pixels (144 megapixels); an image may have at most 40 megapixels. "
        "Resize it first.",
        *(
            f"device 0 (nothing-phone-2): image 'photos/{name}': photos/{name} is broken or "
            "cut short: it cannot be read."
            for name in ("cut.jpg", "tiny.png", "hollow.jpg")
        ),
        "device 0 (nothing-phone-2): image 'photos/none.jpg': no such file",
    ]
    assert not Device.objects.exists()
    assert photo_files(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../catalog/photos/front.jpg", "photos\\front.jpg"]
)
def test_an_image_path_must_stay_inside_the_catalog_folder(phones, photo_dir, path):
    [error] = errors_of_in(with_images(path), photo_dir)
    assert error.endswith("must be a path inside the catalog's folder (photos/x.jpg)")


def test_an_image_linked_from_outside_the_catalog_folder_is_refused(
    phones, photo_dir, tmp_path, settings
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.jpg").write_bytes(image_bytes(300, 400))
    (photo_dir / "photos" / "link.jpg").symlink_to(elsewhere / "secret.jpg")
    (photo_dir / "linked").symlink_to(elsewhere, target_is_directory=True)
    data = with_images("photos/front.jpg", "photos/link.jpg", "linked/secret.jpg")
    assert errors_of_in(data, photo_dir) == [
        f"device 0 (nothing-phone-2): image '{path}': leads out of the catalog's folder "
        "(a symbolic link); copy the file into it"
        for path in ("photos/link.jpg", "linked/secret.jpg")
    ]
    assert not Device.objects.exists()
    assert photo_files(settings.MEDIA_ROOT) == []


def test_an_image_linked_inside_the_catalog_folder_is_imported(phones, photo_dir):
    (photo_dir / "photos" / "main.jpg").symlink_to(photo_dir / "photos" / "front.jpg")
    (photo_dir / "shots").symlink_to(photo_dir / "photos", target_is_directory=True)
    result = import_catalog(with_images("photos/main.jpg", "shots/back.png"), base_dir=photo_dir)
    assert result.photos_new == 2
    assert [(p.width, p.height) for p in DevicePhoto.objects.order_by("order")] == [
        (300, 400),
        (200, 100),
    ]


def test_a_link_changed_to_point_outside_after_planning_is_not_stored(
    phones, photo_dir, tmp_path, settings, monkeypatch
):
    (tmp_path / "secret.jpg").write_bytes(image_bytes(300, 400))
    link = photo_dir / "photos" / "link.jpg"
    link.symlink_to(photo_dir / "photos" / "front.jpg")
    plan = _Planner.plan

    def plan_then_swap(self):
        planned = plan(self)
        link.unlink()
        link.symlink_to(tmp_path / "secret.jpg")
        return planned

    monkeypatch.setattr(_Planner, "plan", plan_then_swap)
    with pytest.raises(CatalogError) as refused:
        import_catalog(with_images("photos/link.jpg"), base_dir=photo_dir)
    assert "leads out of the catalog's folder" in str(refused.value.errors)
    assert not DevicePhoto.objects.exists()
    assert photo_files(settings.MEDIA_ROOT) == []


def test_images_need_a_file_to_be_relative_to(phones):
    [error] = errors_of(with_images("photos/front.jpg"))
    assert error.endswith("images need the catalog's folder: import from a file")


def test_a_malformed_images_entry_is_named(phones, photo_dir):
    assert errors_of_in(catalog([dict(PHONE, images=[12])]), photo_dir) == [
        "device 0 (nothing-phone-2): 'images' item 0 must be a path or an object with "
        '"path", not 12'
    ]


def test_a_failed_import_leaves_no_stored_file_behind(phones, photo_dir, settings, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(type(DevicePhoto.objects), "refresh_main", fail)
    with pytest.raises(RuntimeError):
        import_catalog(with_images("photos/front.jpg", "photos/back.png"), base_dir=photo_dir)
    assert not Device.objects.exists() and not DevicePhoto.objects.exists()
    assert photo_files(settings.MEDIA_ROOT) == []


def test_a_dry_run_checks_images_and_stores_nothing(phones, photo_dir, settings):
    result = import_catalog(with_images("photos/front.jpg"), dry_run=True, base_dir=photo_dir)
    assert result.photos_new == 1
    assert photo_files(settings.MEDIA_ROOT) == []


# transaction=True: PostgreSQL refuses flush's TRUNCATE inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_export_import_export_with_photos_gives_the_same_catalog_and_files(
    photo_dir, tmp_path, capsys
):
    CategoryFactory(name="Phones")
    import_catalog(
        with_images("photos/front.jpg", {"path": "photos/back.png", "alt": "Back"}),
        base_dir=photo_dir,
    )
    first = tmp_path / "first" / "catalog.json"
    first.parent.mkdir()
    call_command("export_catalog", str(first))
    assert "and 2 photo file(s) beside it" in capsys.readouterr().out
    exported = json.loads(first.read_text())["devices"][0]["images"]
    assert exported == [
        "photos/nothing-phone-2/1.jpg",
        {"path": "photos/nothing-phone-2/2.png", "alt": "Back"},
    ]
    call_command("flush", interactive=False)
    call_command("import_catalog", str(first))
    second = tmp_path / "second" / "catalog.json"
    second.parent.mkdir()
    call_command("export_catalog", str(second))
    assert second.read_text() == first.read_text()
    for path in ("photos/nothing-phone-2/1.jpg", "photos/nothing-phone-2/2.png"):
        assert (second.parent / path).read_bytes() == (first.parent / path).read_bytes()
    capsys.readouterr()
    call_command("import_catalog", str(first))
    assert "(0 new, 0 updated, 1 unchanged)" in capsys.readouterr().out
    # Exporting again over the same folder rewrites no photo.
    call_command("export_catalog", str(first))
    assert "photo file" not in capsys.readouterr().out


def errors_of_in(data, base_dir):
    with pytest.raises(CatalogError) as caught:
        import_catalog(data, base_dir=base_dir)
    return caught.value.errors
