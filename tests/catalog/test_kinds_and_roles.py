"""A category's kind and a spec field's role are data: editors may rename anything and
pages still draw outlines and judge figures as before."""

import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from catalog import outlines
from catalog.models import Category, Device, SpecField
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def phones():
    """Two phones with a size and a battery capacity, in a category of kind phone."""
    category = CategoryFactory(name="Phones", kind=Category.Kind.PHONE)
    body = SpecGroupFactory(name="Body")
    size = SpecFieldFactory(
        name="Dimensions", group=body, role=SpecField.Role.DIMENSIONS, categories=[category]
    )
    battery = SpecFieldFactory(
        name="Battery capacity",
        unit="mAh",
        kind=SpecField.Kind.NUMBER,
        direction=SpecField.Direction.HIGHER,
        categories=[category],
    )
    made = []
    for name, dimensions, capacity in (
        ("Alpha", "162.1 x 76.4 x 8.6 mm", 4700),
        ("Beta", "147.0 x 71.0 x 8.0 mm", 4000),
    ):
        device = DeviceFactory(name=name, category=category)
        SpecValueFactory(device=device, field=size, value=dimensions)
        SpecValueFactory(device=device, field=battery, value=f"{capacity} mAh", number=capacity)
        made.append(device)
    return category, size, made


def category_form(category, **changes):
    data = {"name": category.name, "slug": category.slug, "order": category.order}
    return {**data, "kind": category.kind, **changes}


def field_form(spec_field, **changes):
    """The spec field change form as a browser posts it (unticked boxes are left out)."""
    data = {
        "group": spec_field.group_id,
        "name": spec_field.name,
        "slug": spec_field.slug,
        "unit": spec_field.unit,
        "kind": spec_field.kind,
        "direction": spec_field.direction,
        "order": spec_field.order,
        "categories": [c.pk for c in spec_field.categories.all()],
        "role": spec_field.role,
        **changes,
    }
    return {key: value for key, value in data.items() if value is not False}


def test_renaming_the_category_and_the_dimensions_field_keeps_outlines_and_best_marks(
    admin_client, phones
):
    category, size, (alpha, beta) = phones
    for url, data in (
        (
            reverse("admin:catalog_category_change", args=[category.pk]),
            category_form(category, name="Handsets"),
        ),
        (
            reverse("admin:catalog_specfield_change", args=[size.pk]),
            field_form(size, name="Size (H × W × D)"),
        ),
    ):
        assert admin_client.post(url, data).status_code == 302
    size.refresh_from_db()
    assert (size.name, size.role) == ("Size (H × W × D)", "dimensions")

    page = admin_client.get(alpha.get_absolute_url()).text
    assert "Handsets" in page  # the renamed page, not a cached one
    assert 'aria-label="Alpha, drawn to scale: 76.4 × 162.1 × 8.6 mm"' in page
    assert 'class="outline outline--phone device-picture' in page
    key = "-vs-".join(sorted([alpha.slug, beta.slug]))
    compared = admin_client.get(reverse("comparisons:compare-shared", args=[key])).text
    assert set(re.findall(r'data-outline="([^"]+)"', compared)) == {alpha.slug, beta.slug}
    best = re.findall(r'<td data-best[^>]*><span class="compare-table__value">([^<]*)<', compared)
    assert best == ["4,700 mAh"]


def test_outlines_read_the_role_and_the_kind_never_the_names(phones):
    category, size, (alpha, _beta) = phones
    SpecField.objects.filter(pk=size.pk).update(role="")
    SpecFieldFactory(name="Height", role=SpecField.Role.DIMENSIONS)
    Category.objects.filter(pk=category.pk).update(kind=Category.Kind.TABLET)
    device = Device.objects.with_key_specs().get(pk=alpha.pk)
    outline = outlines.outline_of(device)
    # "Dimensions" of a "Phones" device, but no field says it holds the size any more.
    assert (outline.kind, outline.glyph) == ("tablet", True)


def test_the_admin_lists_each_categorys_kind_to_edit(admin_client, phones):
    html = admin_client.get(reverse("admin:catalog_category_changelist")).text
    assert re.search(
        r'<select name="form-0-kind"[^>]*>.*?<option value="phone" selected', html, re.S
    )


def test_the_admin_refuses_a_second_field_with_the_dimensions_role(admin_client, phones):
    _category, _size, _devices = phones
    other = SpecFieldFactory(name="Height")
    url = reverse("admin:catalog_specfield_change", args=[other.pk])
    response = admin_client.post(url, field_form(other, role=SpecField.Role.DIMENSIONS))
    assert response.status_code == 200
    assert "Another field already has this role." in response.text
    other.refresh_from_db()
    assert other.role == ""


MIGRATION = "catalog.migrations.0002_category_kind_specfield_role"


def test_the_migration_gives_existing_rows_the_kind_and_role_names_used_to_imply():
    migration = importlib.import_module(MIGRATION)
    names = {
        "Smartphones": "phone",
        "Notebooks": "laptop",
        "iPads": "tablet",
        "Smartwatches": "watch",
        "SoCs": "chip",
        "Social media": "other",
        "Cameras": "other",
    }
    for name in names:
        CategoryFactory(name=name)
    oldest = SpecFieldFactory(name="DIMENSIONS")
    SpecFieldFactory(name="dimensions", slug="dimensions-2")
    SpecFieldFactory(name="Weight")
    # The models as that migration knows them.
    state = MigrationExecutor(connection).loader.project_state(
        [("catalog", "0002_category_kind_specfield_role")]
    )
    migration.fill_kinds_and_roles(state.apps, None)
    assert dict(Category.objects.values_list("name", "kind")) == names
    assert list(SpecField.objects.exclude(role="").values_list("pk", "role")) == [
        (oldest.pk, "dimensions")
    ]
