import json

import pytest
from django.core.management import CommandError, call_command

from comparisons.catalog_io import CatalogError, export_catalog, import_catalog, parse_json
from comparisons.demo import load_catalog
from comparisons.models import Brand, Category, Device, SpecField, SpecGroup, SpecValue
from core.content import content_version
from tests.factories import CategoryFactory, DeviceFactory, SpecFieldFactory, SpecValueFactory

pytestmark = pytest.mark.django_db

BATTERY = {
    "group": "Battery",
    "name": "Battery capacity",
    "unit": "mAh",
    "kind": "number",
    "direction": "higher",
    "categories": ["Phones"],
}
PHONE = {
    "name": "Nothing Phone (2)",
    "slug": "nothing-phone-2",
    "brand": "Nothing",
    "category": "Phones",
    "released": "2023-07-17",
    "specs": {"Battery capacity": {"value": "4700 mAh", "number": 4700}, "IP rating": "IP54"},
}
IP_RATING = {"group": "Body", "name": "IP rating", "kind": "text", "categories": ["Phones"]}


def catalog(devices=(), fields=(BATTERY, IP_RATING), **extra):
    return {"devices": list(devices), "fields": list(fields), **extra}


def errors_of(data):
    with pytest.raises(CatalogError) as caught:
        import_catalog(data)
    return caught.value.errors


@pytest.fixture
def phones():
    return CategoryFactory(name="Phones")


def test_the_spec_example_imports_devices_fields_and_brands(phones):
    result = import_catalog(catalog([PHONE]))
    phone = Device.objects.get(slug="nothing-phone-2")
    assert (phone.brand.name, phone.category, str(phone.released)) == (
        "Nothing",
        phones,
        "2023-07-17",
    )
    specs = {s.field.name: (s.value, s.number) for s in phone.specs.select_related("field")}
    assert specs == {"Battery capacity": ("4700 mAh", 4700), "IP rating": ("IP54", None)}
    field = SpecField.objects.get(name="Battery capacity")
    assert (field.group.name, field.unit, field.kind, field.direction) == (
        "Battery",
        "mAh",
        "number",
        "higher",
    )
    assert list(field.categories.all()) == [phones]
    assert str(result) == "Imported 1 device (1 new, 0 updated), 2 fields, 1 brand"


def test_a_number_is_read_from_the_text_when_not_given(phones):
    phone = dict(PHONE, specs={"Battery capacity": "4,700 mAh"})
    RAM = {"group": "Memory", "name": "RAM", "kind": "number", "unit": "GB"}
    phone["specs"]["RAM"] = "8 GB / 12 GB"
    import_catalog(catalog([phone], fields=[BATTERY, RAM]))
    numbers = dict(SpecValue.objects.values_list("field__name", "number"))
    assert numbers == {"Battery capacity": 4.7, "RAM": 12}


def test_yes_no_values_accept_words_and_booleans(phones):
    five_g = {"group": "Connectivity", "name": "5G", "kind": "yes-no"}
    nfc = {"group": "Connectivity", "name": "NFC", "kind": "yes-no"}
    phone = dict(PHONE, specs={"5G": True, "NFC": "no"})
    import_catalog(catalog([phone], fields=[five_g, nfc]))
    assert dict(SpecValue.objects.values_list("field__name", "value")) == {"5G": "Yes", "NFC": "No"}


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
    specs = dict(phone.specs.values_list("field__name", "number"))
    assert specs == {"Battery capacity": 4800, "IP rating": None}
    assert phone.specs.get(field__name="IP rating").pk == ip_value.pk
    assert str(result) == "Imported 1 device (0 new, 1 updated), 0 fields, 0 brands"


def test_null_removes_a_spec_value(phones):
    import_catalog(catalog([PHONE]))
    import_catalog(catalog([{"slug": "nothing-phone-2", "specs": {"IP rating": None}}], []))
    assert list(SpecValue.objects.values_list("field__name", flat=True)) == ["Battery capacity"]


def test_a_file_may_update_group_unit_direction_and_categories_of_a_field(phones):
    laptops = CategoryFactory(name="Laptops")
    field = SpecFieldFactory(name="Weight", kind="number", unit="kg", categories=[phones])
    changed = {
        "name": "Weight",
        "group": "Body",
        "unit": "g",
        "direction": "lower",
        "categories": ["Phones", "Laptops"],
    }
    import_catalog(catalog(fields=[changed]))
    field.refresh_from_db()
    assert (field.group.name, field.unit, field.direction, field.kind) == (
        "Body",
        "g",
        "lower",
        "number",
    )
    assert set(field.categories.all()) == {phones, laptops}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"specs": {"Colour": "Black"}},
            "device 0 (nothing-phone-2): unknown field 'Colour'",
        ),
        (
            {"specs": {"Battery capacity": "large"}},
            "device 0 (nothing-phone-2): field 'Battery capacity' is a number; value \"large\" "
            'holds no number (give {"value": …, "number": …})',
        ),
        (
            {"specs": {"Battery capacity": {"value": "4700 mAh", "number": "lots"}}},
            "field 'Battery capacity' is a number; number \"lots\" is not one",
        ),
        ({"category": "Tablets"}, 'device 0 (nothing-phone-2): unknown category "Tablets"'),
        (
            {"powered_by": "no-such-chip"},
            'device 0 (nothing-phone-2): powered_by: unknown device "no-such-chip"',
        ),
        (
            {"released": "2023-13-45"},
            'device 0 (nothing-phone-2): released "2023-13-45" is not a date (YYYY-MM-DD)',
        ),
        (
            {"slug": "phone-vs-phone"},
            'device 0 (phone-vs-phone): a slug cannot contain "-vs-" (comparison URLs split on it)',
        ),
        ({"slug": ""}, 'device 0: missing "slug"'),
        ({"name": None}, 'device 0 (nothing-phone-2): missing "name"'),
        ({"brand": "  "}, 'device 0 (nothing-phone-2): missing "brand"'),
        (
            {"launch_price": "cheap"},
            'device 0 (nothing-phone-2): launch_price "cheap" is not a price in USD',
        ),
        ({"colour": "black"}, "device 0 (nothing-phone-2): unknown key 'colour'"),
        (
            {"slug": "Nothing Phone"},
            "device 0 (Nothing Phone): slug must be lower-case letters, digits and hyphens "
            "(at most 200)",
        ),
    ],
)
def test_every_bad_device_entry_is_named_with_its_reason(phones, change, error):
    assert errors_of(catalog([dict(PHONE, **change)])) == [error]
    assert not Device.objects.exists()


def test_a_yes_no_field_refuses_other_words(phones):
    five_g = {"group": "Connectivity", "name": "5G", "kind": "yes-no"}
    errors = errors_of(catalog([dict(PHONE, specs={"5G": "maybe"})], fields=[five_g]))
    assert errors == [
        "device 0 (nothing-phone-2): field '5G' is yes-no; value \"maybe\" is not Yes or No"
    ]


def test_a_file_cannot_change_the_kind_of_a_field(phones):
    SpecFieldFactory(name="Battery capacity", kind="text")
    assert errors_of(catalog(fields=[BATTERY])) == [
        "field 'Battery capacity' is text; a file cannot change its kind"
    ]
    assert SpecField.objects.get().kind == "text"


def test_a_field_with_an_unknown_category_is_named(phones):
    field = dict(BATTERY, categories=["Phones", "Tablets"])
    assert errors_of(catalog(fields=[field])) == [
        'field 0 (Battery capacity): unknown category "Tablets"'
    ]


def test_a_new_field_needs_a_kind_and_a_group(phones):
    field = {"name": "Colour"}
    assert errors_of(catalog(fields=[field])) == [
        'field 0 (Colour): a new field needs a "kind" (number, text, yes-no)',
        'field 0 (Colour): a new field needs a "group"',
    ]


def test_invalid_json_names_the_line():
    with pytest.raises(CatalogError) as caught:
        parse_json('{\n  "devices": [\n    {"slug": "x",}\n  ]\n}')
    [error] = caught.value.errors
    assert error.startswith("invalid JSON at line 3, column 17: ")


def test_every_error_is_listed_and_nothing_is_written(phones):
    good = dict(PHONE, slug="good-phone")
    bad = dict(PHONE, slug="bad-phone", category="Tablets", specs={"Colour": "Black"})
    also_bad = dict(PHONE, slug="other-vs-phone")
    errors = errors_of(catalog([good, bad, also_bad], categories=["Laptops"]))
    assert errors == [
        'device 1 (bad-phone): unknown category "Tablets"',
        "device 1 (bad-phone): unknown field 'Colour'",
        'device 2 (other-vs-phone): a slug cannot contain "-vs-" (comparison URLs split on it)',
    ]
    assert not Device.objects.exists()
    assert not Brand.objects.exists()
    assert not SpecField.objects.exists()
    assert not SpecGroup.objects.exists()
    assert list(Category.objects.all()) == [phones]


def test_import_command_prints_a_summary_and_bumps_the_content_version(
    phones, tmp_path, capsys, committed
):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog([PHONE])))
    before = content_version()
    with committed():
        call_command("import_catalog", str(path))
    assert "Imported 1 device (1 new, 0 updated), 2 fields, 1 brand" in capsys.readouterr().out
    assert content_version() != before


def test_import_command_fails_listing_every_error(phones, tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog([dict(PHONE, category="Tablets", released="soon")])))
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path))
    message = str(caught.value)
    assert "nothing imported, 2 problem(s)" in message
    assert 'unknown category "Tablets"' in message
    assert 'released "soon" is not a date' in message
    assert not Device.objects.exists()


def test_import_command_reports_invalid_json_and_missing_files(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text('{"devices": [}')
    with pytest.raises(CommandError, match="invalid JSON at line 1, column 14"):
        call_command("import_catalog", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_catalog", str(tmp_path / "missing.json"))


def test_export_writes_every_device_and_field():
    device = DeviceFactory(slug="pixel", launch_price="499.00")
    field = SpecFieldFactory(name="RAM", kind="number", unit="GB", categories=[device.category])
    SpecValueFactory(device=device, field=field, value="8 GB / 12 GB")
    SpecValueFactory(
        device=device,
        field=SpecFieldFactory(name="Weight", kind="number"),
        value="1.2 kg",
        number=1200,
    )
    data = export_catalog()
    [exported] = data["devices"]
    assert exported["launch_price"] == 499
    assert exported["specs"] == {
        "RAM": "8 GB / 12 GB",
        "Weight": {"value": "1.2 kg", "number": 1200},
    }
    assert {f["name"] for f in data["fields"]} == {"RAM", "Weight"}


# transaction=True: PostgreSQL refuses flush's TRUNCATE inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_export_then_import_into_an_empty_database_round_trips(tmp_path, capsys):
    load_catalog()
    # An edge case the demo lacks: a number field whose value holds no number.
    phone = Device.objects.get(slug="nothing-phone-2")
    SpecValue.objects.filter(device=phone, field__name="Wireless charging").update(
        value="n/a", number=None
    )
    first = tmp_path / "first.json"
    call_command("export_catalog", str(first))
    call_command("flush", interactive=False)
    assert not Device.objects.exists()
    call_command("import_catalog", str(first))
    capsys.readouterr()
    call_command("export_catalog")
    assert json.loads(capsys.readouterr().out) == json.loads(first.read_text())
    assert {"value": "n/a", "number": None} in [
        d["specs"].get("Wireless charging") for d in json.loads(first.read_text())["devices"]
    ]
