"""Query plans of a device page's rivals on a catalog large enough that a planner would
rather scan the whole table for a badly shaped query (PostgreSQL did, at 50,000 devices,
for an OR of two IN lists)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Brand, Category, Device
from comparisons import rivals
from tests.plans import plan_of_sql

pytestmark = pytest.mark.django_db

DEVICES = 4000


@pytest.fixture
def wide_catalog(db):
    brand = Brand.objects.create(name="Maker", slug="maker")
    categories = [Category.objects.create(name=n, slug=n.lower()) for n in ("Phones", "Laptops")]
    Device.objects.bulk_create(
        Device(
            name=f"Gadget {i}",
            slug=f"gadget-{i}",
            brand=brand,
            category=categories[i % 2],
            launch_price=Decimal(100 + i % 1900) if i % 5 else None,
        )
        for i in range(DEVICES)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Device.objects.filter(category=categories[0])


def rivals_plan(device):
    """The plan of the whole rivals query (candidates, brands and key figures)."""
    return plan_of_sql(*rivals._rivals_query(device, {1: 8.0}))


def scans_devices(plan):
    if connection.vendor == "postgresql":
        return "Seq Scan on comparisons_device" in plan
    return bool(re.search(r"SCAN (TABLE )?\"?comparisons_device\"?(?! USING)", plan))


@pytest.mark.parametrize("has_price", [True, False])
def test_rival_candidates_are_two_index_range_scans(wide_catalog, has_price):
    device = wide_catalog.filter(launch_price__isnull=not has_price).order_by("pk")[300]
    if not has_price:
        device.released = device.created_at.date()
    plan = rivals_plan(device)
    index = "device_cat_price" if has_price else "device_cat_released"
    assert plan.count(index) == 2, plan
    assert not scans_devices(plan), plan


def test_newest_rivals_are_read_in_the_order_of_an_index(wide_catalog):
    """Without a price or a date: the newest, undated last, in the order of one of the
    "newest" indexes (the planner picks the category's or, for a category this large, the
    catalog's), with no sort and no scan of the table."""
    wide_catalog.filter(pk__in=wide_catalog.order_by("pk")[:500].values("pk")).update(
        released=datetime.date(2020, 1, 1)
    )
    device = wide_catalog.filter(launch_price__isnull=True, released__isnull=True).first()
    plan = rivals_plan(device)
    assert len(re.findall(r"device_(?:cat|sort)_newest", plan)) == 1, plan
    assert not re.search(r"TEMP B-TREE|Sort", plan), plan
    assert not scans_devices(plan), plan
