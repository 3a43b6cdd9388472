"""Query plans of the catalog's sorts on a catalog large enough that a planner would rather
sort a whole category than walk an index for a badly shaped query: every sort walks one."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict

from catalog.filters import SORTS, CatalogFilters
from catalog.models import Brand, Category, Device, SpecField, SpecGroup, SpecValue

pytestmark = pytest.mark.django_db

DEVICES = 3000


@pytest.fixture
def wide_catalog(db):
    brand = Brand.objects.create(name="Maker", slug="maker")
    categories = [Category.objects.create(name=n, slug=n.lower()) for n in ("Phones", "Laptops")]
    group = SpecGroup.objects.create(name="Memory")
    ram = SpecField.objects.create(
        group=group, name="RAM", slug="ram", kind="number", direction="higher", filterable=True
    )
    ram.categories.set(categories)
    devices = Device.objects.bulk_create(
        Device(
            name=f"Gadget {i}",
            slug=f"gadget-{i}",
            brand=brand,
            category=categories[i % 2],
            released=datetime.date(2010, 1, 1) + datetime.timedelta(days=i) if i % 7 else None,
            launch_price=Decimal(100 + i % 1900) if i % 5 else None,
        )
        for i in range(DEVICES)
    )
    SpecValue.objects.bulk_create(
        SpecValue(device=d, field=ram, value=f"{4 + i % 12} GB", number=4 + i % 12)
        for i, d in enumerate(devices)
        if i % 3
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def page_query(query):
    """The query that picks a page's rows (past the first page) for ``query``."""
    devices = CatalogFilters.from_query(QueryDict(query)).devices()
    return devices.valued[24:48] if hasattr(devices, "valued") else devices[24:48]


def sorts_whole_result(plan):
    if connection.vendor == "postgresql":
        # With sorting discouraged, a Sort node left means no index could serve the order;
        # an Incremental Sort only orders ties within what an index already ordered.
        return re.search(r"^\s*(->\s*)?Sort\s+\(", plan, re.MULTILINE) is not None
    # "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" too: SQLite then reads every tie of the
    # boundary value to sort them, and a spec like RAM has thousands of ties.
    return "TEMP B-TREE" in plan


@pytest.mark.parametrize("category", ["", "phones"])
@pytest.mark.parametrize("sort", [*SORTS, "best-ram"])
def test_every_sort_walks_an_index(wide_catalog, sort, category):
    query = f"sort={sort}" + (f"&category={category}" if category else "")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_sort = off")
        try:
            plan = page_query(query).explain()
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("RESET enable_sort")
    assert not sorts_whole_result(plan), plan
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
