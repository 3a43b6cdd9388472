"""A new device's form offers its category's fields; the spec rows' columns say what they
hold."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from catalog.models import Device, SpecField, SpecValue
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

ADD = "admin:catalog_device_add"


@pytest.fixture
def schema():
    phones, laptops = CategoryFactory(name="Phones"), CategoryFactory(name="Laptops")
    battery = SpecGroupFactory(name="Battery", order=2)
    display = SpecGroupFactory(name="Display", order=1)
    return {
        "phones": phones,
        "laptops": laptops,
        "capacity": SpecFieldFactory(
            name="Battery capacity",
            group=battery,
            unit="mAh",
            kind=SpecField.Kind.NUMBER,
            categories=[phones],
        ),
        "size": SpecFieldFactory(name="Display size", group=display, categories=[phones, laptops]),
        "panel": SpecFieldFactory(name="Display type", group=display, categories=[phones]),
        "keyboard": SpecFieldFactory(name="Keyboard", group=display, categories=[laptops]),
    }


def offered_and_prefilled(response):
    formset = response.context["inline_admin_formsets"][0].formset
    offered = {field.name for field in formset.forms[0].fields["field"].rows}
    prefilled = [form.initial["field"].name for form in formset.extra_forms if form.initial]
    return offered, prefilled


def test_a_new_device_of_a_category_is_offered_its_fields_each_in_a_row(editor_client, schema):
    phones = schema["phones"]
    response = editor_client.get(reverse(ADD), {"category": phones.pk, "name": "Fairphone 6"})
    offered, prefilled = offered_and_prefilled(response)
    assert offered == {"Battery capacity", "Display size", "Display type"}
    assert prefilled == ["Display size", "Display type", "Battery capacity"]
    form = response.context["adminform"].form
    assert (form.initial["category"], form.initial["name"]) == (phones.pk, "Fairphone 6")
    assert "Keyboard" not in response.text


def test_add_device_from_a_list_filtered_by_category_offers_its_fields(editor_client, schema):
    laptops = schema["laptops"]
    filters = urlencode({"category__id__exact": laptops.pk})
    response = editor_client.get(reverse(ADD), {"_changelist_filters": filters})
    offered, prefilled = offered_and_prefilled(response)
    assert offered == {"Display size", "Keyboard"} and len(prefilled) == 2
    assert response.context["adminform"].form.initial["category"] == laptops.pk


@pytest.mark.parametrize("category", ["", "abc", "99999", "1" * 40, "-1", "1.5"])
def test_no_or_an_unknown_category_offers_every_field(editor_client, schema, category):
    response = editor_client.get(reverse(ADD), {"category": category})
    assert response.status_code == 200
    offered, prefilled = offered_and_prefilled(response)
    assert len(offered) == SpecField.objects.count() and prefilled == []


def test_a_nul_category_is_a_bad_request(editor_client, schema):
    assert editor_client.get(reverse(ADD), {"category": "\x00"}).status_code == 400


def test_the_add_form_links_each_category_keeping_the_list_it_came_from(editor_client, schema):
    filters = urlencode({"brand__id__exact": 3})
    page = editor_client.get(reverse(ADD), {"_changelist_filters": filters}).text
    for category in (schema["phones"], schema["laptops"]):
        query = urlencode({"_changelist_filters": filters, "category": category.pk})
        assert f'<a href="?{query.replace("&", "&amp;")}">{category.name}</a>' in page
    assert "/static/js/admin-device.js" in page


def test_a_posted_new_device_may_keep_a_field_of_the_category_it_was_drawn_for(
    editor_client, schema
):
    # The rows were drawn for laptops, then the category became phones.
    phones = schema["phones"]
    draft = DeviceFactory.build(
        name="Convertible", slug="convertible", brand=BrandFactory(), category=phones
    )
    data = _inline_data(draft, [{"field": schema["keyboard"].pk, "value": "Backlit"}])
    data["specs-0-device"] = ""
    response = editor_client.post(reverse(ADD), data)
    assert response.status_code == 302, response.context["errors"]
    device = Device.objects.get(slug="convertible")
    assert list(device.specs.values_list("field__name", "value")) == [("Keyboard", "Backlit")]


def test_the_spec_rows_columns_are_value_and_source(editor_client, schema):
    device = DeviceFactory(category=schema["phones"])
    page = editor_client.get(reverse("admin:catalog_device_change", args=[device.pk]))
    headers = page.text[page.text.index('id="specs-group"') :]
    headers = headers[: headers.index("</thead>")]
    for column in ("Group", "Field", "Value", "Number", "Source"):
        assertContains(page, f'<th class="column-{column.lower()}', count=1)
        assert f">{column}" in headers
    assert "Source text" not in page.text and "source text" not in page.text


def test_history_names_a_changed_value_a_value(admin_client, schema):
    device = DeviceFactory(category=schema["phones"])
    spec = SpecValueFactory(device=device, field=schema["panel"], value="OLED")
    rows = [{"id": spec.pk, "field": spec.field_id, "value": "LTPO OLED"}]
    url = reverse("admin:catalog_device_change", args=[device.pk])
    assert admin_client.post(url, _inline_data(device, rows)).status_code == 302
    history = admin_client.get(reverse("admin:catalog_device_history", args=[device.pk])).text
    assert "Changed Value for spec value" in history
    assert SpecValue._meta.get_field("value").verbose_name == "value"
