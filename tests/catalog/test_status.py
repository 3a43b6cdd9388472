"""A device's status: data editors set and imports carry, a badge wherever the device is
listed, a catalog filter, and what rivals leave out."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.io import CatalogError, export_catalog, import_catalog
from catalog.models import Device
from comparisons.rivals import rivals
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    RankingFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db

CATALOG = reverse("catalog:device-list")
BADGE = re.compile(r'<span class="status-badge status-badge--(\w+)">([^<]*)</span>')


@pytest.fixture
def shelf():
    """Five phones of one price band, one of each status, and a laptop with none known."""
    phones, laptops = CategoryFactory(name="Phones"), CategoryFactory(name="Laptops")
    acme = BrandFactory(name="Acme")
    devices = {}
    for i, status in enumerate(Device.Status.values):
        devices[status] = DeviceFactory(
            name=f"Acme {status.title()}",
            brand=acme,
            category=phones,
            status=status,
            launch_price=Decimal(500 + i),
            released=datetime.date(2024, 1, 1 + i),
        )
    devices["unknown"] = DeviceFactory(name="Acme Book", brand=acme, category=laptops)
    return devices


def badges(html):
    return BADGE.findall(html)


# Shown as a badge wherever a device is listed


def test_the_device_page_says_its_status(client, shelf):
    html = client.get(shelf["cancelled"].get_absolute_url()).text
    assert ("cancelled", "Cancelled") in badges(html)
    assert "<dt>Status</dt>" in html


def test_a_device_of_unknown_status_shows_no_badge(client, shelf):
    html = client.get(shelf["unknown"].get_absolute_url()).text
    assert "<dt>Status</dt>" not in html
    assert "status-badge--" not in html.split('id="rivals', 1)[0]


def test_catalog_cards_carry_the_badge(client, shelf):
    html = client.get(CATALOG, {"category": "phones"}).text
    assert sorted(badges(html)) == sorted((status.value, status.label) for status in Device.Status)


def test_search_results_and_the_widgets_finder_carry_the_badge(client, shelf):
    search = client.get(reverse("news:search"), {"q": "acme rumoured"}).text
    assert ("rumoured", "Rumoured") in badges(search)
    found = client.get(reverse("comparisons:compare-find"), {"q": "acme discontinued"}).text
    assert ("discontinued", "Discontinued") in badges(found)


def test_comparison_headers_carry_the_badge(client, shelf):
    key = f"{shelf['announced'].slug}-vs-{shelf['available'].slug}"
    html = client.get(reverse("comparisons:compare-shared", args=[key])).text
    header = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert sorted(badges(header)) == [("announced", "Announced"), ("available", "Available")]


# Rivals


def test_rivals_never_suggest_a_cancelled_device(shelf):
    suggested = rivals(shelf["available"])
    assert shelf["cancelled"] not in suggested
    assert {d.status for d in suggested} == {"announced", "rumoured", "discontinued"}


def test_a_cancelled_device_still_gets_rivals(shelf):
    assert shelf["available"] in rivals(shelf["cancelled"])


# The catalog filter


def test_the_catalog_filters_by_status_with_counts_and_chips(client, shelf):
    response = client.get(CATALOG, {"status": ["cancelled", "rumoured"]})
    names = [device.name for device in response.context["devices"]]
    assert sorted(names) == ["Acme Cancelled", "Acme Rumoured"]
    html = response.text
    assert 'id="filter-status-cancelled" name="status" value="cancelled" checked' in html
    assert "Cancelled (1)" in html and "Available (1)" in html
    chips = [label for label, _url in response.context["filters"].applied]
    # In the statuses' order, whatever the query's.
    assert chips == ["Status: Rumoured", "Status: Cancelled"]
    assert response.context["page"].paginator.count == 2


def test_statuses_on_offer_follow_the_category(client, shelf):
    filters = client.get(CATALOG, {"category": "laptops"}).context["filters"]
    assert filters.status_choices == []
    filters = client.get(CATALOG, {"category": "phones"}).context["filters"]
    assert [choice.value for choice in filters.status_choices] == Device.Status.values


def test_an_unknown_status_is_reported_and_the_rest_applies(client, shelf):
    response = client.get(CATALOG, {"status": ["sold-out", "available"]})
    assert response.context["filters"].notices == [
        "Ignored status=sold-out: there is no such status."
    ]
    assert [device.name for device in response.context["devices"]] == ["Acme Available"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"category": "phones"},
        {"category": "laptops"},
        {"brand": "acme"},
        {"status": "available"},
        {"status": ["available", "cancelled"], "category": "phones"},
        {"status": "available", "category": "laptops"},
    ],
)
def test_counts_read_from_the_options_are_true(client, shelf, query):
    BrandFactory(name="Zeta")
    DeviceFactory(brand__name="Other", category=shelf["available"].category, status="available")
    response = client.get(CATALOG, query)
    filters = response.context["filters"]
    assert filters.known_count() is not None
    assert response.context["page"].paginator.count == filters.filter(Device.objects.all()).count()


def test_rankings_are_listed_on_the_catalogs_landing_pages(client, shelf):
    RankingFactory(title="Best cheap phones", slug="best-cheap-phones", published=True)
    RankingFactory(title="Hidden draft", slug="draft", published=False)
    for query in ({}, {"category": "phones"}):
        html = client.get(CATALOG, query).text
        assert 'href="/devices/best/best-cheap-phones/">Best cheap phones</a>' in html
        assert "Hidden draft" not in html
    assert "Best cheap phones" not in client.get(CATALOG, {"max_price": "600"}).text


# Import and export


def test_import_sets_changes_and_clears_the_status(shelf):
    phone = {"slug": "acme-x", "name": "Acme X", "brand": "Acme", "category": "Phones"}
    import_catalog({"devices": [{**phone, "status": "rumoured"}]})
    assert Device.objects.get(slug="acme-x").status == "rumoured"
    result = import_catalog({"devices": [{"slug": "acme-x", "status": "announced"}]})
    assert result.devices_updated == ["acme-x"]
    assert Device.objects.get(slug="acme-x").status == "announced"
    # No key keeps it; null makes it unknown.
    import_catalog({"devices": [{"slug": "acme-x", "name": "Acme X"}]})
    assert Device.objects.get(slug="acme-x").status == "announced"
    import_catalog({"devices": [{"slug": "acme-x", "status": None}]})
    assert Device.objects.get(slug="acme-x").status == ""


def test_an_unknown_status_in_a_file_is_named(shelf):
    with pytest.raises(CatalogError) as caught:
        import_catalog({"devices": [{"slug": shelf["available"].slug, "status": "sold out"}]})
    [error] = caught.value.errors
    assert "'status'" in error and "cancelled" in error and "sold out" in error


def test_export_carries_the_status_and_imports_back_unchanged(shelf):
    exported = export_catalog()
    by_slug = {device["slug"]: device for device in exported["devices"]}
    assert by_slug[shelf["cancelled"].slug]["status"] == "cancelled"
    assert by_slug[shelf["unknown"].slug]["status"] is None
    result = import_catalog(exported)
    assert result.devices_updated == []


# The admin


def test_an_editor_sets_the_status_and_filters_the_list_by_it(editor_client, shelf):
    device = shelf["available"]
    url = reverse("admin:catalog_device_change", args=[device.pk])
    form = editor_client.get(url).context["adminform"].form
    assert "status" in form.fields
    changelist = reverse("admin:catalog_device_changelist")
    response = editor_client.get(changelist, {"status__exact": "cancelled"})
    assert [d.name for d in response.context["cl"].result_list] == ["Acme Cancelled"]


def test_a_status_change_shows_on_the_public_page(client, shelf):
    device = shelf["available"]
    assert ("available", "Available") in badges(client.get(device.get_absolute_url()).text)
    device.status = Device.Status.DISCONTINUED
    device.save()
    SpecValueFactory(device=device)
    html = client.get(device.get_absolute_url()).text
    assert ("discontinued", "Discontinued") in badges(html)
