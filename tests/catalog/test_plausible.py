"""Plausible ranges: a number outside its field's range for the device's category kind is
refused in the admin unless the editor confirms it, and listed (or refused) by imports."""

import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse, reverse_lazy

from catalog.demo import demo_data, load_catalog
from catalog.io import CatalogError, export_catalog, import_catalog
from catalog.models import (
    KIND_NOUNS,
    Category,
    Device,
    SpecField,
    SpecGroup,
    SpecValue,
    clean_plausible,
)
from catalog.units import SpecValueError
from tests.catalog.test_admin import _inline_data
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db

WEIGHT_RANGES = {"phone": [50, 1000], "laptop": [300, 10000]}


def outliers():
    """Every stored value outside its field's range for its device's kind."""
    values = SpecValue.objects.select_related("field", "device__category")
    return [
        f"{value.device.slug}: {problem}"
        for value in values
        if (problem := value.field.outside_plausible(value.number, value.device.category.kind))
    ]


# The rule


def test_a_number_outside_the_range_of_its_kind_says_so_with_the_range():
    weight = SpecField(name="Weight", unit="g", kind="number", plausible=WEIGHT_RANGES)
    assert weight.outside_plausible(1276408.92918, "phone") == (
        "Weight 1,276,409 g is outside 50–1,000 g for a phone"
    )
    assert weight.outside_plausible(12.5, "laptop") == (
        "Weight 12.5 g is outside 300–10,000 g for a laptop"
    )


@pytest.mark.parametrize(
    ("number", "kind"),
    [(50, "phone"), (1000, "phone"), (201, "phone"), (1500, "laptop"), (5, "chip"), (None, "")],
)
def test_a_number_inside_its_range_or_without_one_passes(number, kind):
    weight = SpecField(name="Weight", unit="g", kind="number", plausible=WEIGHT_RANGES)
    assert weight.outside_plausible(number, kind) is None


def test_rounding_never_shows_a_figure_inside_the_range_it_is_outside_of():
    field = SpecField(name="Storage", unit="GB", kind="number", plausible={"phone": [1, 2048]})
    assert field.outside_plausible(2048.4, "phone") == (
        "Storage 2,048.4 GB is outside 1–2,048 GB for a phone"
    )


def test_text_fields_are_never_outliers():
    field = SpecField(name="Panel", kind="text", plausible={"phone": [1, 2]})
    assert field.outside_plausible(5, "phone") is None


def test_every_kind_has_a_name_in_messages():
    assert set(KIND_NOUNS) == set(Category.Kind.values)


def test_ranges_are_stored_tidy():
    assert clean_plausible({"phone": [50.0, 1000], "watch": [0.5, 2]}) == {
        "phone": [50, 1000],
        "watch": [0.5, 2],
    }


@pytest.mark.parametrize(
    ("ranges", "error"),
    [
        ({"phones": [1, 2]}, "“phones” is no category kind (use phone, tablet"),
        ({"phone": [2, 1]}, "the range for phone starts above its end (2 > 1)"),
        ({"phone": [1]}, "the range for phone must be two numbers, [low, high]"),
        ({"phone": [1, "2"]}, "the range for phone must be two numbers"),
        ({"phone": [True, 2]}, "the range for phone must be two numbers"),
        ({"phone": [1, float("inf")]}, "the range for phone must be two finite numbers"),
        ({"phone": [1, float("nan")]}, "the range for phone must be two finite numbers"),
        ({"phone": [1, 10**400]}, "the range for phone must be two finite numbers"),
        ([1, 2], "must map category kinds to [low, high]"),
        ({"\nphone": [1, 2]}, "“\\nphone” is no category kind"),
    ],
)
def test_a_range_that_makes_no_sense_is_refused_saying_why(ranges, error):
    with pytest.raises(SpecValueError) as caught:
        clean_plausible(ranges)
    assert error in str(caught.value)


def test_the_model_refuses_bad_ranges_and_ranges_on_a_text_field():
    group = SpecGroupFactory()
    backwards = SpecField(
        group=group, name="Weight", slug="weight", kind="number", plausible={"phone": [9, 1]}
    )
    with pytest.raises(ValidationError) as caught:
        backwards.full_clean()
    assert caught.value.message_dict["plausible"] == [
        "The range for phone starts above its end (9 > 1)"
    ]
    text = SpecField(group=group, name="Panel", slug="panel", plausible={"phone": [1, 2]})
    with pytest.raises(ValidationError) as caught:
        text.full_clean()
    assert caught.value.message_dict["plausible"] == ["Only number fields have plausible ranges."]


# The admin: an editor is refused an implausible figure unless they tick the box.


@pytest.fixture
def schema():
    phones = CategoryFactory(name="Phones", kind=Category.Kind.PHONE)
    laptops = CategoryFactory(name="Laptops", kind=Category.Kind.LAPTOP)
    body = SpecGroupFactory(name="Body")
    weight = SpecFieldFactory(
        name="Weight",
        group=body,
        unit="g",
        kind=SpecField.Kind.NUMBER,
        categories=[phones, laptops],
    )
    weight.plausible = WEIGHT_RANGES
    weight.save()
    panel = SpecFieldFactory(name="Display type", group=body, categories=[phones, laptops])
    return {"phones": phones, "laptops": laptops, "weight": weight, "panel": panel}


def _post(client, device, rows, **device_changes):
    data = _inline_data(device, rows) | device_changes
    for index, row in enumerate(rows):
        if row.get("checked"):
            data[f"specs-{index}-checked"] = "on"
    return client.post(reverse("admin:catalog_device_change", args=[device.pk]), data)


def _row_errors(response, index):
    return response.context["inline_admin_formsets"][0].formset.forms[index].errors


def test_201_stone_as_a_phones_weight_is_refused_with_the_range(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"])
    response = _post(editor_client, phone, [{"field": schema["weight"].pk, "value": "201 st"}])
    assert response.status_code == 200
    [error] = _row_errors(response, 0)["value"]
    assert error == (
        "Weight 1,276,409 g is outside 50–1,000 g for a phone. "
        "Check the unit, or tick “I checked this value”."
    )
    assert "outside 50–1,000 g for a phone" in response.text
    assert not phone.specs.exists()


def test_ticking_i_checked_this_value_accepts_it(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"])
    row = {"field": schema["weight"].pk, "value": "201 st", "checked": True}
    assert _post(editor_client, phone, [row]).status_code == 302
    assert phone.specs.values_list("value", "number").get() == ("201 st", 1276408.92918)


def test_201_grams_is_accepted(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"])
    response = _post(editor_client, phone, [{"field": schema["weight"].pk, "value": "201 g"}])
    assert response.status_code == 302
    assert phone.specs.values_list("number", flat=True).get() == 201


def test_a_typed_number_outside_the_range_is_refused_on_the_number(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"])
    row = {"field": schema["weight"].pk, "value": "about 200 g", "number": "20000"}
    response = _post(editor_client, phone, [row])
    assert response.status_code == 200
    assert "outside 50–1,000 g for a phone" in _row_errors(response, 0)["number"][0]
    assert not phone.specs.exists()


def test_a_refusal_keeps_every_row_and_everything_typed(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"], name="Old name")
    panel = SpecValueFactory(device=phone, field=schema["panel"], value="OLED")
    rows = [
        {"id": panel.pk, "field": schema["panel"].pk, "value": "LTPO OLED", "source": "Maker"},
        {"field": schema["weight"].pk, "value": "201 st", "source": "Box"},
    ]
    response = _post(editor_client, phone, rows, name="New name")
    assert response.status_code == 200
    forms = response.context["inline_admin_formsets"][0].formset.forms
    assert [(form["value"].value(), form["source"].value()) for form in forms] == [
        ("LTPO OLED", "Maker"),
        ("201 st", "Box"),
    ]
    assert response.context["adminform"].form["name"].value() == "New name"
    assert "\n201 st</textarea>" in response.text and "\nLTPO OLED</textarea>" in response.text
    panel.refresh_from_db()
    phone.refresh_from_db()
    assert (panel.value, phone.name) == ("OLED", "Old name")


def test_the_range_follows_the_category_posted_with_the_device(editor_client, schema):
    laptop = DeviceFactory(category=schema["laptops"])
    row = {"field": schema["weight"].pk, "value": "1.4 kg"}
    as_phone = _post(editor_client, laptop, [row], category=schema["phones"].pk)
    assert as_phone.status_code == 200
    assert "outside 50–1,000 g for a phone" in _row_errors(as_phone, 0)["value"][0]
    phone = DeviceFactory(category=schema["phones"])
    as_laptop = _post(editor_client, phone, [row], category=schema["laptops"].pk)
    assert as_laptop.status_code == 302
    assert phone.specs.values_list("number", flat=True).get() == 1400


def test_an_invalid_posted_category_falls_back_to_the_stored_one(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"])
    row = {"field": schema["weight"].pk, "value": "1.4 kg"}
    response = _post(editor_client, phone, [row], category="999999")
    assert response.status_code == 200
    assert "outside 50–1,000 g for a phone" in _row_errors(response, 0)["value"][0]


def test_a_new_device_is_judged_by_its_category(editor_client, schema):
    draft = DeviceFactory.build(
        name="Brick", slug="brick", brand=BrandFactory(), category=schema["phones"]
    )
    data = _inline_data(draft, [{"field": schema["weight"].pk, "value": "201 st"}])
    data["specs-0-device"] = ""
    response = editor_client.post(reverse("admin:catalog_device_add"), data)
    assert response.status_code == 200
    assert "outside 50–1,000 g for a phone" in _row_errors(response, 0)["value"][0]
    assert not Device.objects.filter(slug="brick").exists()


def test_ticking_the_box_on_a_blank_row_changes_nothing(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"])
    rows = [{"field": schema["weight"].pk, "value": "", "checked": True}]
    assert _post(editor_client, phone, rows).status_code == 302
    assert not phone.specs.exists()


def test_a_stored_outlier_left_alone_does_not_block_other_edits(editor_client, schema):
    phone = DeviceFactory(category=schema["phones"])
    heavy = SpecValueFactory(device=phone, field=schema["weight"], value="2 kg", number=2000)
    rows = [
        {"id": heavy.pk, "field": schema["weight"].pk, "value": "2 kg", "number": "2000"},
        {"field": schema["panel"].pk, "value": "OLED"},
    ]
    assert _post(editor_client, phone, rows).status_code == 302
    assert phone.specs.count() == 2


@pytest.fixture
def forty_rows():
    """A phone with 40 values, in fields that all have ranges."""
    phones = CategoryFactory(name="Phones", kind=Category.Kind.PHONE)
    group = SpecGroupFactory(name="Body")
    fields = SpecField.objects.bulk_create(
        SpecField(
            group=group,
            name=f"Measure {i}",
            slug=f"measure-{i}",
            unit="g",
            kind=SpecField.Kind.NUMBER,
            order=i,
            plausible={"phone": [50, 1000]},
        )
        for i in range(40)
    )
    SpecField.categories.through.objects.bulk_create(
        SpecField.categories.through(specfield=field, category=phones) for field in fields
    )
    phone = DeviceFactory(category=phones)
    SpecValue.objects.bulk_create(
        SpecValue(device=phone, field=field, value=f"{100 + i} g", number=100 + i)
        for i, field in enumerate(fields)
    )
    specs = list(phone.specs.order_by("field__order"))
    rows = [{"id": s.pk, "field": s.field_id, "value": s.value, "number": s.number} for s in specs]
    return phone, rows


def test_checking_ranges_costs_no_query_per_row(
    admin_client, forty_rows, django_assert_max_num_queries
):
    phone, rows = forty_rows
    rows[0]["value"], rows[0]["number"] = "201 st", ""
    # The refused edit's budget (tests/catalog/test_admin.py) and the edit-conflict check.
    with django_assert_max_num_queries(27):
        response = _post(admin_client, phone, rows)
    assert response.status_code == 200
    assert "outside 50–1,000 g for a phone" in _row_errors(response, 0)["value"][0]
    rows[0]["checked"] = True
    with django_assert_max_num_queries(32):
        response = _post(admin_client, phone, rows)
    assert response.status_code == 302


# The spec field admin: ranges as lines of text, checked by the same rule.


ADD_FIELD = reverse_lazy("admin:catalog_specfield_add")


def _field_data(**changes):
    return {
        "group": SpecGroup.objects.get_or_create(name="Body")[0].pk,
        "name": "Weight",
        "slug": "weight",
        "unit": "g",
        "kind": "number",
        "direction": "lower",
        "order": 0,
        "role": "",
        "plausible": "",
        **changes,
    }


def test_ranges_are_typed_one_kind_a_line(admin_client):
    text = "phone: 50–1000\nLaptop: 300 - 10,000\n\nwatch: 10 to 200.5"
    response = admin_client.post(ADD_FIELD, _field_data(plausible=text))
    assert response.status_code == 302
    field = SpecField.objects.get(slug="weight")
    assert field.plausible == {"phone": [50, 1000], "laptop": [300, 10000], "watch": [10, 200.5]}
    page = admin_client.get(reverse("admin:catalog_specfield_change", args=[field.pk]))
    assert "phone: 50–1000\nlaptop: 300–10000\nwatch: 10–200.5</textarea>" in page.text


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("phones: 50–1000", "“phones” is no category kind (use phone, tablet, laptop"),
        ("phone: 1000–50", "The range for phone starts above its end (1,000 > 50)"),
        ("phone 50–1000", "Line 1 (“phone 50–1000”) is not a range"),
        ("phone: 50–inf", "is not a range"),
        ("phone: 50–1e999", "The range for phone must be two finite numbers"),
        ("phone: 1,,0–5", "Line 1 (“phone: 1,,0–5”): not two numbers."),
        ("phone: 1–2\nPhone: 3–4", "Line 2: phone has a range already."),
    ],
)
def test_a_range_that_makes_no_sense_is_refused_in_the_admin(admin_client, text, error):
    response = admin_client.post(ADD_FIELD, _field_data(plausible=text))
    assert response.status_code == 200
    assert error in response.context["adminform"].form.errors["plausible"][0]
    # The text stays as typed.
    assert response.context["adminform"].form["plausible"].value() == text
    assert not SpecField.objects.exists()


def test_a_text_field_cannot_have_ranges_in_the_admin(admin_client):
    data = _field_data(kind="text", unit="", direction="none", plausible="phone: 1–2")
    response = admin_client.post(reverse("admin:catalog_specfield_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["plausible"] == [
        "Only number fields have plausible ranges."
    ]


def test_an_editor_cannot_change_ranges(editor_client, schema):
    url = reverse("admin:catalog_specfield_change", args=[schema["weight"].pk])
    data = _field_data(plausible="phone: 1–2000000")
    assert editor_client.post(url, data).status_code == 403
    schema["weight"].refresh_from_db()
    assert schema["weight"].plausible == WEIGHT_RANGES


# Imports: outliers listed (or refused), ranges in the file.

FIELDS = [
    {
        "group": "Body",
        "name": "Weight",
        "unit": "g",
        "kind": "number",
        "categories": ["Phones"],
        "plausible": {"phone": [50, 1000]},
    }
]


def _file(weights, fields=FIELDS):
    return {
        "categories": [{"name": "Phones", "kind": "phone"}],
        "fields": fields,
        "devices": [
            {
                "slug": slug,
                "name": slug.title(),
                "brand": "Maker",
                "category": "Phones",
                "specs": {"Weight": weight},
            }
            for slug, weight in weights.items()
        ],
    }


OUTLIER = "Outlier: brick — Weight 1,276,409 g is outside 50–1,000 g for a phone"


def test_an_import_lists_each_outlier_and_imports_it_anyway():
    result = import_catalog(_file({"brick": "201 st", "fine": "201 g", "feather": "2 g"}))
    assert result.outliers == [
        OUTLIER,
        "Outlier: feather — Weight 2 g is outside 50–1,000 g for a phone",
    ]
    assert result.report()[-2:] == result.outliers
    assert Device.objects.count() == 3
    assert SpecValue.objects.get(device__slug="brick").number == 1276408.92918


def test_an_unchanged_outlier_is_not_listed_again():
    import_catalog(_file({"brick": "201 st"}))
    assert import_catalog(_file({"brick": "201 st"})).outliers == []
    assert import_catalog(_file({"brick": "202 st"})).outliers == [
        "Outlier: brick — Weight 1,282,759 g is outside 50–1,000 g for a phone"
    ]


def test_a_dry_run_lists_outliers(tmp_path, capsys):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(_file({"brick": "201 st"})))
    call_command("import_catalog", str(path), "--dry-run")
    assert OUTLIER in capsys.readouterr().out.splitlines()
    assert not Device.objects.exists()


def test_reject_outliers_refuses_the_whole_file_listing_them(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(_file({"fine": "201 g", "brick": "201 st"})))
    for dry_run in ([], ["--dry-run"]):
        with pytest.raises(CommandError) as caught:
            call_command("import_catalog", str(path), "--reject-outliers", *dry_run)
        assert "nothing imported, 1 problem(s)" in str(caught.value)
        assert OUTLIER in str(caught.value)
    assert not Device.objects.exists()
    assert not SpecField.objects.exists()


def test_reject_outliers_lets_a_plausible_file_through():
    result = import_catalog(_file({"fine": "201 g"}), reject_outliers=True)
    assert result.devices_new == 1 and result.outliers == []


def test_an_outlier_is_judged_by_the_category_the_file_gives():
    laptops = CategoryFactory(name="Laptops", kind=Category.Kind.LAPTOP)
    fields = [dict(FIELDS[0], plausible={"phone": [50, 1000], "laptop": [300, 10000]})]
    import_catalog(_file({"slab": "150 g"}, fields=fields))
    moved = _file({"slab": "160 g"}, fields=fields)
    moved["devices"][0]["category"] = laptops.name
    assert import_catalog(moved).outliers == [
        "Outlier: slab — Weight 160 g is outside 300–10,000 g for a laptop"
    ]


def test_a_file_sets_ranges_kind_by_kind_and_says_so():
    import_catalog(_file({}))
    assert SpecField.objects.get(name="Weight").plausible == {"phone": [50, 1000]}
    more = [dict(FIELDS[0], plausible={"phone": [60, 900], "laptop": [300, 10000]})]
    result = import_catalog(_file({}, fields=more))
    assert result.field_changes == [
        "Weight: plausible phone 50–1,000 g → phone 60–900 g, laptop 300–10,000 g"
    ]
    # A kind the file leaves out keeps its range.
    import_catalog(_file({}, fields=[dict(FIELDS[0], plausible={"watch": [10, 200]})]))
    assert SpecField.objects.get(name="Weight").plausible == {
        "phone": [60, 900],
        "laptop": [300, 10000],
        "watch": [10, 200],
    }
    assert import_catalog(_file({}, fields=more)).field_changes == []


def test_a_unit_change_converts_the_ranges():
    fields = [dict(FIELDS[0], unit="kg", plausible={"phone": [0.05, 1]})]
    import_catalog(_file({}, fields=fields))
    without_ranges = {key: value for key, value in FIELDS[0].items() if key != "plausible"}
    result = import_catalog(_file({}, fields=[without_ranges]))
    assert result.field_changes == [
        "Weight: unit kg → g; plausible phone 0.05–1 kg → phone 50–1,000 g"
    ]
    assert SpecField.objects.get(name="Weight").plausible == {"phone": [50, 1000]}


@pytest.mark.parametrize(
    ("plausible", "error"),
    [
        (
            {"phones": [50, 1000]},
            "field 0 (Weight): 'plausible' is not valid: “phones” is no category kind (use "
            "phone, tablet, laptop, watch, chip, other)",
        ),
        (
            {"phone": [1000, 50]},
            "field 0 (Weight): 'plausible' is not valid: the range for phone starts above its "
            "end (1,000 > 50)",
        ),
        (
            [50, 1000],
            "field 0 (Weight): 'plausible' must be an object of category kind to [low, high], "
            'e.g. {"phone": [50, 1000]}, not a list',
        ),
    ],
)
def test_a_file_with_ranges_that_make_no_sense_is_refused(plausible, error):
    with pytest.raises(CatalogError) as caught:
        import_catalog(_file({"fine": "201 g"}, fields=[dict(FIELDS[0], plausible=plausible)]))
    assert caught.value.errors == [error]
    assert not Device.objects.exists()


def test_a_file_cannot_give_a_text_field_ranges():
    panel = {"group": "Body", "name": "Panel", "kind": "text", "plausible": {"phone": [1, 2]}}
    with pytest.raises(CatalogError) as caught:
        import_catalog(_file({}, fields=[*FIELDS, panel]))
    assert caught.value.errors == [
        "field 1 (Panel): 'plausible' is for number fields only; this field is text"
    ]


def test_export_writes_the_ranges_of_number_fields():
    load_catalog()
    fields = {field["name"]: field for field in export_catalog()["fields"]}
    assert fields["Weight"]["plausible"] == {
        "phone": [50, 1000],
        "tablet": [150, 2000],
        "laptop": [300, 10000],
        "watch": [10, 200],
    }
    assert "plausible" not in fields["Display type"]


# The demo, the generated bench catalog and existing sites.


def test_every_number_field_of_the_demo_catalog_has_ranges_and_its_devices_fit_them():
    load_catalog()
    numbers = SpecField.objects.filter(kind=SpecField.Kind.NUMBER)
    assert numbers.exists() and not numbers.filter(plausible={}).exists()
    assert outliers() == []


def test_a_small_generated_catalog_has_no_outliers():
    call_command("generate_catalog", devices=60, articles=0, seed=7, stdout=io.StringIO())
    assert SpecValue.objects.filter(device__slug__startswith="gen-").count() > 60 * 10
    assert outliers() == []


def test_the_migration_gives_existing_fields_the_demos_ranges():
    migration = importlib.import_module("catalog.migrations.0003_specfield_plausible")
    fields = demo_data()["fields"]
    demo = {f["name"]: (f["unit"], f["plausible"]) for f in fields if "plausible" in f}
    assert demo == migration.RANGES
    group = SpecGroupFactory()

    def field(name, unit, plausible=None, kind="number"):
        return SpecField.objects.create(
            group=group, name=name, slug=name, unit=unit, kind=kind, plausible=plausible or {}
        )

    weight, ram = field("weight", "g"), field("RAM", "MB")
    storage = field("Storage", "GB", {"phone": [8, 512]})
    field("Display size", "in", kind="text")
    migration.fill_plausible_ranges(apps, None)
    for row in (weight, ram, storage):
        row.refresh_from_db()
    assert weight.plausible == demo["Weight"][1]
    # Another unit, or ranges already set: left for an editor.
    assert (ram.plausible, storage.plausible) == ({}, {"phone": [8, 512]})
    assert SpecField.objects.get(name="Display size").plausible == {}
