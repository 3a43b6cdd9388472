"""The device admin on a big catalog (issue 17, point 5): bounded queries on every list
page and the form, unknown dates and prices last both ways, filters as drop-downs, pages
read by ids, long values in text boxes. Times are measured by `make bench
BENCH_ARGS="--admin"`, never here."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from catalog.models import Device, SpecValue
from core import admin_lists
from tests.factories import DevicePhotoFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:catalog_device_changelist")
MAX_QUERIES = 15
# The list's columns, numbered as the admin numbers them (the checkbox is 0).
NAME, BRAND, CATEGORY, RELEASED, PRICE = 1, 2, 3, 4, 5


def listed(response):
    return [device.name for device in response.context["cl"].result_list]


@pytest.fixture
def catalog(big_catalog):
    """big_catalog (60 devices, 6 brands, 36 values each) with photos, some devices
    without a price or a release date, half of them available."""
    devices = big_catalog["devices"]
    for device in devices[:3]:
        DevicePhotoFactory(device=device)
    Device.objects.filter(pk__in=[d.pk for d in devices[::7]]).update(launch_price=None)
    Device.objects.filter(pk__in=[d.pk for d in devices[::2]]).update(status="available")
    for n, device in enumerate(devices):
        released = None if n % 11 == 0 else datetime.date(2015 + n % 10, 1 + n % 12, 1)
        Device.objects.filter(pk=device.pk).update(released=released)
    return big_catalog


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"p": "2"},
        {"q": "Gadget 1"},
        {"brand__id__exact": "BRAND"},
        {"category__id__exact": "CATEGORY"},
        {"year": "2020"},
        {"status__exact": "available"},
        *({"o": str(column)} for column in (NAME, BRAND, CATEGORY, RELEASED, PRICE)),
        *({"o": f"-{column}"} for column in (NAME, BRAND, CATEGORY, RELEASED, PRICE)),
    ],
)
def test_every_list_page_stays_within_the_query_budget(
    editor_client, catalog, monkeypatch, django_assert_max_num_queries, query
):
    monkeypatch.setattr(admin.site._registry[Device], "list_per_page", 25)
    query = {
        key: {"BRAND": catalog["brands"][1].pk, "CATEGORY": catalog["categories"][0].pk}.get(
            value, value
        )
        for key, value in query.items()
    }
    with django_assert_max_num_queries(MAX_QUERIES):
        response = editor_client.get(LIST, query)
    assert response.status_code == 200
    assert listed(response)


def test_unknown_prices_come_last_sorted_either_way(editor_client, catalog):
    for order, descending in ((str(PRICE), False), (f"-{PRICE}", True)):
        rows = list(editor_client.get(LIST, {"o": order}).context["cl"].result_list)
        prices = [device.launch_price for device in rows]
        known = [price for price in prices if price is not None]
        assert prices == known + [None] * (len(prices) - len(known)), order
        assert known == sorted(known, reverse=descending), order
        assert len(known) < len(prices)


def test_the_list_is_newest_first_with_unknown_dates_last_and_sorts_them_last_too(
    editor_client, catalog
):
    for query, descending in (
        ({}, True),
        ({"o": str(RELEASED)}, False),
        ({"o": f"-{RELEASED}"}, True),
    ):
        rows = list(editor_client.get(LIST, query).context["cl"].result_list)
        dates = [device.released for device in rows]
        known = [day for day in dates if day is not None]
        assert dates == known + [None] * (len(dates) - len(known)), query
        assert known == sorted(known, reverse=descending), query


def test_deep_pages_show_the_rows_of_the_whole_order_in_turn(editor_client, catalog, monkeypatch):
    monkeypatch.setattr(admin.site._registry[Device], "list_per_page", 7)
    everything = list(Device.objects.catalog_order("price-high").values_list("name", flat=True))
    seen = []
    for page in range(1, 10):
        response = editor_client.get(LIST, {"o": f"-{PRICE}", "p": page})
        seen += listed(response)
    assert seen == everything
    assert "60 devices" in response.text


def test_brand_and_year_filters_are_drop_downs_that_keep_the_search(editor_client, catalog):
    brand = catalog["brands"][2]
    page = editor_client.get(LIST, {"q": "Gadget"}).text
    select = re.search(r'<select name="brand__id__exact".*?</select>', page, re.S).group()
    assert select.count("<option value=") == 1 + len(catalog["brands"])  # and "Choose…"
    assert f'<option value="{brand.pk}">{brand.name}</option>' in select
    form = page[page.rindex("<form", 0, page.index(select)) : page.index(select)]
    assert 'name="q" value="Gadget"' in form
    # No link per brand.
    assert f"brand__id__exact={brand.pk}" not in page

    chosen = editor_client.get(LIST, {"q": "Gadget", "brand__id__exact": brand.pk})
    assert set(chosen.context["cl"].result_list.values_list("brand", flat=True)) == {brand.pk}
    assert f'<option value="{brand.pk}" selected>' in chosen.text

    years = re.search(r'<select name="year".*?</select>', page, re.S).group()
    offered = re.findall(r'<option value="(\d+)"', years)
    assert offered == [str(year) for year in range(2024, 2014, -1)]
    in_2020 = editor_client.get(LIST, {"year": "2020"}).context["cl"].result_list
    assert {device.released.year for device in in_2020} == {2020}


def test_the_list_reads_only_its_own_columns(editor_client, catalog):
    rows = list(editor_client.get(LIST).context["cl"].result_list)
    assert rows and all("summary" in row.get_deferred_fields() for row in rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
def test_an_unfiltered_list_on_postgresql_counts_from_the_estimate(
    editor_client, catalog, monkeypatch
):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comparisons_device")
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 1)
    response = editor_client.get(LIST)
    assert response.context["cl"].paginator.estimated
    assert re.search(r"about \d+ devices", response.text)
    # Filtered, the count is exact.
    filtered = editor_client.get(LIST, {"brand__id__exact": catalog["brands"][0].pk})
    assert not filtered.context["cl"].paginator.estimated
    assert "10 devices" in filtered.text


def test_the_device_form_draws_each_choice_list_once(
    editor_client, catalog, django_assert_max_num_queries
):
    device = catalog["devices"][5]
    DevicePhotoFactory(device=device)
    url = reverse("admin:catalog_device_change", args=[device.pk])
    editor_client.get(url)  # content types, as a running site has them
    with django_assert_max_num_queries(MAX_QUERIES):
        page = editor_client.get(url)
    html = page.text
    # Brand and powered-by search as you type: no list of every device or brand.
    assert html.count('<option value="') < 36 * 40
    assert 'data-model-name="device"' in html or "admin-autocomplete" in html
    rows = page.context["inline_admin_formsets"][0].formset.forms
    assert len(rows) >= 36
    # Each row's field list is the same, with its own field chosen.
    first = re.search(r'<select name="specs-0-field".*?</select>', html, re.S).group()
    assert first.count("<option") == 37  # 36 fields and the empty choice
    assert first.count(" selected>") == 1


def test_a_long_value_is_a_text_box_a_short_one_a_single_line(editor_client, catalog):
    device = catalog["devices"][5]
    long_text = "Dual camera: " + "wide, ultra-wide and telephoto; " * 60
    SpecValue.objects.filter(device=device, field=catalog["fields"][2]).update(value=long_text)
    html = editor_client.get(reverse("admin:catalog_device_change", args=[device.pk])).text
    boxes = re.findall(r'<textarea name="specs-\d+-value"[^>]*>', html)
    assert len(boxes) >= 36
    assert all('rows="1"' in box and "spec-value-input" in box for box in boxes)
    assert long_text.strip() in html.replace("&#x27;", "'")


def test_saving_an_unchanged_form_keeps_every_value(editor_client, catalog):
    from tests.admin_forms import form_data

    device = catalog["devices"][4]
    url = reverse("admin:catalog_device_change", args=[device.pk])
    before = sorted(SpecValue.objects.filter(device=device).values_list("field", "value"))
    data = form_data(editor_client.get(url), "device")
    response = editor_client.post(url, data)
    assert response.status_code == 302
    assert sorted(SpecValue.objects.filter(device=device).values_list("field", "value")) == before
    assert Device.objects.get(pk=device.pk).launch_price == device.launch_price or Decimal(0)


def searched(client, term):
    return sorted(listed(client.get(LIST, {"q": term})))


def test_the_search_finds_each_word_in_the_name_the_slug_or_the_brand(editor_client, catalog):
    Device.objects.filter(name="Gadget 7").update(slug="gadget-seven-special")
    assert searched(editor_client, "gadget 13") == ["Gadget 13"]
    assert searched(editor_client, "SEVEN") == ["Gadget 7"]
    # Maker 2 makes every sixth device; "gadget 2" narrows it to the ones named so.
    by_brand = searched(editor_client, '"maker 2"')
    assert by_brand == sorted(f"Gadget {n}" for n in range(2, 60, 6))
    both = searched(editor_client, '"maker 2" "gadget 2"')
    assert both == ["Gadget 2", "Gadget 20", "Gadget 26"]
    # Unquoted, each word alone: "maker" is every brand, "2" a name with a 2 or Maker 2.
    assert len(searched(editor_client, "maker 2")) == len(
        {n for n in range(60) if "2" in str(n) or n % 6 == 2}
    )
    # A quoted phrase is one word, as in Django's own search.
    assert searched(editor_client, '"Gadget 1"') == sorted(
        ["Gadget 1", *(f"Gadget {n}" for n in range(10, 20))]
    )
    assert searched(editor_client, "no-such-thing") == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's"
)
def test_on_postgresql_the_search_reads_the_trigram_indexes_not_every_device(catalog):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    model_admin = site._registry[Device]
    found, _ = model_admin.get_search_results(
        RequestFactory().get(LIST), Device.objects.all(), "Tensor"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # 60 rows: the planner would scan
        plan = found.explain()
    assert "device_name_trgm" in plan
    assert "device_slug_trgm" in plan
