"""Data for the compare tests: four devices in four categories, 44 fields across 5 groups."""

import pytest

from catalog.models import SpecField, SpecValue
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
)

FIELD_COUNT = 44


def make_compare_catalog():
    categories = [
        CategoryFactory(name=name) for name in ("Phones", "Laptops", "Chipsets", "Tablets")
    ]
    groups = [SpecGroupFactory(name=f"Section {i}", order=i) for i in range(5)]
    fields = []
    for i in range(FIELD_COUNT):
        number = i % 4 != 3
        direction = ["higher", "lower", "none", "none"][i % 4]
        fields.append(
            SpecFieldFactory(
                group=groups[i % 5],
                name=f"Measure {i:02d}",
                unit="u" if number else "",
                kind=SpecField.Kind.NUMBER if number else SpecField.Kind.TEXT,
                direction=direction,
                order=i,
                categories=categories,
            )
        )
    devices = [
        DeviceFactory(name=f"Widget {letter}", category=category)
        for letter, category in zip("ABCD", categories, strict=True)
    ]
    values = []
    for d, device in enumerate(devices):
        for f, field in enumerate(fields):
            # Every device lacks a few fields, so "—" cells exist in most columns.
            if (f + d) % 7 == 0:
                continue
            if field.is_number:
                values.append(
                    SpecValue(
                        device=device, field=field, value=f"{10 + d + f} u", number=10 + d + f
                    )
                )
            else:
                values.append(SpecValue(device=device, field=field, value=f"Text {f % 2}"))
    SpecValue.objects.bulk_create(values)
    return {"devices": devices, "fields": fields, "groups": groups, "categories": categories}


@pytest.fixture
def compare_catalog(db):
    return make_compare_catalog()
