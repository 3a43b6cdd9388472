import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from catalog import cards as catalog_cards
from catalog.filters import (
    PARAMETERS,
    PER_PAGE,
    filter_options,
    is_catalog_parameter,
    parse_decimal,
    spec_param,
)
from catalog.models import SpecField
from core.pagecache import MARKER_PREFIX
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("catalog:device-list")
NUMBER = SpecField.Kind.NUMBER


@pytest.fixture
def catalog():
    """Four phones and a laptop with RAM (higher), battery (higher, phones) and weight (lower)."""
    phones, laptops = CategoryFactory(name="Phones"), CategoryFactory(name="Laptops")
    acme, zeta = BrandFactory(name="Acme"), BrandFactory(name="Zeta")
    ram = SpecFieldFactory(
        name="RAM",
        unit="GB",
        kind=NUMBER,
        direction="higher",
        filterable=True,
        key=True,
        categories=[phones, laptops],
    )
    battery = SpecFieldFactory(
        name="Battery capacity",
        unit="mAh",
        kind=NUMBER,
        direction="higher",
        filterable=True,
        categories=[phones],
    )
    weight = SpecFieldFactory(
        name="Weight",
        unit="g",
        kind=NUMBER,
        direction="lower",
        filterable=True,
        categories=[phones, laptops],
    )
    rows = [
        # name, brand, category, released, price, ram, battery, weight
        ("Alpha", acme, phones, "2021-03-01", 300, 4, 4000, 190),
        ("Bravo", acme, phones, "2023-06-01", 700, 12, 5000, 210),
        ("Charlie", zeta, phones, "2022-09-01", 500, 8, None, 170),
        ("Delta", zeta, phones, None, None, None, 4500, None),
        ("Echo Book", zeta, laptops, "2024-01-10", 1200, 16, None, 1280),
    ]
    devices = {}
    for name, brand, category, released, price, *numbers in rows:
        device = DeviceFactory(
            name=name,
            brand=brand,
            category=category,
            released=datetime.date.fromisoformat(released) if released else None,
            launch_price=Decimal(price) if price else None,
        )
        for field, number in zip((ram, battery, weight), numbers, strict=True):
            if number is not None:
                SpecValueFactory(device=device, field=field, value=f"{number} {field.unit}")
        devices[name] = device
    statuses = {"Alpha": "discontinued", "Bravo": "available", "Delta": "cancelled"}
    for name, status in statuses.items():
        devices[name].status = status
        devices[name].save()
    return devices


def names(response):
    assert response.status_code == 200
    return [device.name for device in response.context["devices"]]


def notices(response):
    return response.context["filters"].notices


def test_default_order_is_newest_first_with_undated_devices_last(client, catalog):
    assert names(client.get(URL)) == ["Echo Book", "Bravo", "Charlie", "Alpha", "Delta"]


def test_result_count_is_shown(client, catalog):
    response = client.get(URL, {"category": "phones"})
    assert "4 devices" in response.text


def test_filter_by_category(client, catalog):
    assert names(client.get(URL, {"category": "laptops"})) == ["Echo Book"]


def test_filter_by_several_brands(client, catalog):
    response = client.get(URL, {"brand": ["acme"], "sort": "name"})
    assert names(response) == ["Alpha", "Bravo"]
    response = client.get(URL, {"brand": ["acme", "zeta"], "sort": "name"})
    assert len(names(response)) == 5


def test_filter_by_price_range_leaves_out_devices_without_a_price(client, catalog):
    response = client.get(URL, {"min_price": "400", "max_price": "800", "sort": "name"})
    assert names(response) == ["Bravo", "Charlie"]


def test_filter_by_release_year(client, catalog):
    response = client.get(URL, {"year_from": "2023"})
    assert names(response) == ["Echo Book", "Bravo"]


def test_filter_by_name(client, catalog):
    assert names(client.get(URL, {"q": "book"})) == ["Echo Book"]


def test_filter_by_spec_minimum(client, catalog):
    response = client.get(URL, {"min_ram": "8", "sort": "name"})
    assert names(response) == ["Bravo", "Charlie", "Echo Book"]


def test_filter_by_spec_range_uses_both_ends_on_the_same_value(client, catalog):
    response = client.get(URL, {"min_weight": "180", "max_weight": "200"})
    assert names(response) == ["Alpha"]


def test_combined_filters(client, catalog):
    query = {
        "category": "phones",
        "brand": "acme",
        "min_ram": "8",
        "min_battery-capacity": "4500",
        "max_price": "800",
    }
    assert names(client.get(URL, query)) == ["Bravo"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("oldest", ["Alpha", "Charlie", "Bravo", "Echo Book", "Delta"]),
        ("name", ["Alpha", "Bravo", "Charlie", "Delta", "Echo Book"]),
        ("price-low", ["Alpha", "Charlie", "Bravo", "Echo Book", "Delta"]),
        ("price-high", ["Echo Book", "Bravo", "Charlie", "Alpha", "Delta"]),
    ],
)
def test_sort_orders_put_missing_values_last(client, catalog, sort, expected):
    assert names(client.get(URL, {"sort": sort})) == expected


def test_sort_by_a_higher_is_better_spec_puts_the_best_first_and_missing_last(client, catalog):
    response = client.get(URL, {"sort": "best-ram"})
    assert names(response) == ["Echo Book", "Bravo", "Charlie", "Alpha", "Delta"]


def test_sort_by_a_lower_is_better_spec_puts_the_lightest_first(client, catalog):
    response = client.get(URL, {"category": "phones", "sort": "best-weight"})
    assert names(response) == ["Charlie", "Alpha", "Bravo", "Delta"]


def test_equal_figures_follow_the_index_by_device_so_no_page_sorts_its_ties(client, catalog):
    """Ties come in the walk's direction, by id: newest added first when higher is better,
    oldest first when lower is better (see catalog.filters.SpecSorted)."""
    ram = SpecField.objects.get(name="RAM")
    weight = SpecField.objects.get(name="Weight")
    phones = catalog["Alpha"].category
    ties = [DeviceFactory(name=name, category=phones) for name in ("Zulu", "Kilo")]
    for device in ties:
        SpecValueFactory(device=device, field=ram, value="12 GB")
        SpecValueFactory(device=device, field=weight, value="190 g")
    response = client.get(URL, {"category": "phones", "sort": "best-ram"})
    assert names(response)[:3] == ["Kilo", "Zulu", "Bravo"]
    response = client.get(URL, {"category": "phones", "sort": "best-weight"})
    assert names(response)[:4] == ["Charlie", "Alpha", "Zulu", "Kilo"]


def test_spec_filters_on_offer_follow_the_category(client, catalog):
    response = client.get(URL, {"category": "laptops"})
    assert 'name="min_ram"' in response.text
    assert 'name="min_battery-capacity"' not in response.text
    assert 'value="best-battery-capacity"' not in response.text
    response = client.get(URL)
    assert 'name="min_battery-capacity"' in response.text


def test_spec_filter_outside_the_chosen_category_is_ignored_and_explained(client, catalog):
    response = client.get(URL, {"category": "laptops", "min_battery-capacity": "4000"})
    assert names(response) == ["Echo Book"]
    assert notices(response) == [
        "Ignored min_battery-capacity=4000: Battery capacity is not a filter for Laptops."
    ]
    assert "Battery capacity is not a filter for Laptops" in response.text


def test_form_shows_the_accepted_values(client, catalog):
    response = client.get(URL, {"min_ram": "8", "brand": "zeta", "category": "phones"})
    html = response.text
    assert 'name="min_ram" step="any" inputmode="decimal" value="8"' in html
    assert 'value="zeta" checked' in html
    assert '<option value="phones" selected>' in html


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"min_price": "abc"}, "Ignored min_price=abc: not a number."),
        ({"max_price": "NaN"}, "Ignored max_price=NaN: not a number."),
        ({"max_price": "1e400"}, "Ignored max_price=1e400: the number is too large."),
        ({"max_price": "-5"}, "Ignored max_price=-5: a price cannot be negative."),
        ({"min_price": "-0.5"}, "Ignored min_price=-0.5: a price cannot be negative."),
        ({"min_ram": "Infinity"}, "Ignored min_ram=Infinity: not a number."),
        ({"min_ram": "9" * 500}, "the number is too large"),
        ({"category": "toasters"}, "Ignored category=toasters: there is no such category."),
        ({"brand": "nokia"}, "Ignored brand=nokia: there is no such brand."),
        ({"sort": "random"}, "Ignored sort=random: unknown order; showing newest first."),
        ({"sort": "best-colour"}, "unknown order"),
        ({"min_colour": "3"}, "Ignored min_colour=3: there is no such filter."),
        ({"year_from": "last year"}, "Ignored year_from=last year: give a year between"),
        ({"year_from": "99999"}, "give a year between 1900 and 2100"),
        ({"page": "abc"}, 'Ignored page "abc": not a page number.'),
        ({"page": "99999"}, "There is no page 99999; showing page 1."),
        ({"page": "-1"}, "There is no page -1; showing page 1."),
        ({"page": "1" * 5000}, "not a page number"),
        ({"category": ["phones", "laptops"]}, '"category" was given 2 times'),
    ],
)
def test_junk_is_ignored_and_explained(client, catalog, query, notice):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert any(notice in text for text in notices(response)), notices(response)
    assert "Some filters were ignored" in response.text


@pytest.mark.parametrize(
    "query_string",
    [
        "page=1.5",
        "page=",
        "min_ram=1_000",
        "min_ram=%D9%A1%D9%A2",
        "min_ram=-0",
        "min_=5",
        "max_price=0x10",
        "year_from=%D9%A2%D9%A0%D9%A2%D9%A0",
        "min_ram=8&min_ram=16&min_ram=abc",
        "q=" + "x" * 5000,
        "q=%27%22%3Cscript%3E",
        "category=phones&category=phones",
        "brand=" + "&brand=".join(f"b{i}" for i in range(200)),
        "%ZZ=%ZZ&&&=&==",
    ],
)
def test_odd_query_strings_never_fail(client, catalog, query_string):
    response = client.get(f"{URL}?{query_string}")
    assert response.status_code == 200
    assert "<script>" not in response.text.split("</header>", 1)[1]


@pytest.mark.parametrize(
    "query_string",
    [
        "min_price=%00",
        "q=%00%00evil",
        "category=%00",
        "brand=%00&brand=acme",
        "sort=%00",
        "page=%00",
    ],
)
def test_nul_in_a_query_string_is_a_bad_request(client, catalog, query_string):
    assert client.get(f"{URL}?{query_string}").status_code == 400


def test_long_name_search_is_cut_and_explained(client, catalog):
    response = client.get(URL, {"q": "a" * 300})
    assert response.context["filters"].q == "a" * 100
    assert "The name search was cut to its first 100 characters." in notices(response)


def test_many_notices_are_summarised(client, catalog):
    response = client.get(URL, {"brand": [f"nobrand-{i}" for i in range(20)]})
    assert "…and 12 more." in response.text


def test_repeated_identical_values_need_no_notice(client, catalog):
    response = client.get(URL, {"category": ["phones", "phones"]})
    assert notices(response) == []
    assert len(names(response)) == 4


def test_valid_filters_still_apply_beside_junk(client, catalog):
    response = client.get(URL, {"category": "phones", "min_ram": "lots", "brand": "acme"})
    assert names(response) == ["Bravo", "Alpha"]
    assert notices(response) == ["Ignored min_ram=lots: not a number."]


# Values that once held a worker for seconds (1e-999999999), answered 500 (1e999999999) or
# reached int() with more than 4300 digits.
HOSTILE_NUMBERS = [
    "1e-999999999",
    "1e-99999999999",
    "1e999999999",
    "-1e999999999",
    "1e308",
    "1e-999",
    "1" + "0" * 100_000,
    "0." + "0" * 100_000 + "1",
    "NaN",
    "-Infinity",
    "sNaN",
    "1,5",
    "１２",
    "0x10",
]


@pytest.mark.parametrize("name", ["min_price", "max_price", "min_ram"])
@pytest.mark.parametrize("value", HOSTILE_NUMBERS, ids=lambda value: value[:20])
def test_hostile_number_is_ignored_and_the_other_filters_still_apply(client, catalog, name, value):
    response = client.get(URL, {"category": "phones", "brand": "acme", name: value})
    assert names(response) == ["Bravo", "Alpha"]
    assert len(notices(response)) == 1
    assert notices(response)[0].startswith(f"Ignored {name}=")
    assert "Some filters were ignored" in response.text


@pytest.mark.parametrize(
    ("page", "notice"),
    [
        ("9999999999999999999999", "There is no page 9999999999999999999999; showing page 1."),
        ("-9999999999999999999999", "There is no page -9999999999999999999999; showing page 1."),
        ("1" * 100_000, 'Ignored page "1111'),
        ("１２", 'Ignored page "１２": not a page number.'),
        ("1_0", 'Ignored page "1_0": not a page number.'),
        ("1e3", 'Ignored page "1e3": not a page number.'),
    ],
    ids=lambda value: value[:20],
)
def test_hostile_page_number_shows_the_first_page_with_the_filters_applied(
    client, catalog, page, notice
):
    response = client.get(URL, {"category": "phones", "brand": "acme", "page": page})
    assert names(response) == ["Bravo", "Alpha"]
    assert response.context["page"].number == 1
    assert len(notices(response)) == 1 and notices(response)[0].startswith(notice)


@pytest.mark.parametrize("year", ["２０２３", "2_023", "9" * 100_000, "1e3"])
def test_year_from_takes_only_four_plain_digits(client, catalog, year):
    response = client.get(URL, {"brand": "acme", "year_from": year, "sort": "name"})
    assert names(response) == ["Alpha", "Bravo"]
    assert notices(response)[0].startswith("Ignored year_from=")


def test_number_in_exponent_notation_is_written_out_in_the_form_and_links(client, catalog):
    response = client.get(URL, {"min_price": "6e2"})
    assert names(response) == ["Echo Book", "Bravo"]
    assert response.context["filters"].querystring == "min_price=600"
    assert 'name="min_price" step="any" inputmode="decimal" value="600"' in response.text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", Decimal("12")),
        (" 12 ", Decimal("12")),
        ("1 000", Decimal("1000")),
        ("-7.5", Decimal("-7.5")),
        (".5", Decimal("0.5")),
        ("1e3", Decimal("1000")),
        ("1.5E+2", Decimal("150")),
        ("25e-3", Decimal("0.025")),
        ("0.000001", Decimal("0.000001")),
        ("2.50000000", Decimal("2.50000000")),
        ("1000000000", Decimal("1000000000")),
        ("-1000000000", Decimal("-1000000000")),
    ],
)
def test_parse_decimal_accepts_plain_numbers(raw, expected):
    number, reason = parse_decimal(raw)
    assert (number, reason) == (expected, None)
    assert "E" not in str(number)


@pytest.mark.parametrize("raw", ["-0", "+0.00", "0e-999"])
def test_parse_decimal_reads_every_zero_as_plain_zero(raw):
    number, reason = parse_decimal(raw)
    assert reason is None
    assert str(number) == "0"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        # Refused by the pattern: the exponent is never read as a number.
        ("1e-999999999", "not a plain number"),
        ("1e999999999", "not a plain number"),
        ("1e1000", "not a plain number"),
        ("1,5", "not a plain number"),
        ("１２", "not a plain number"),
        ("١٢", "not a plain number"),
        ("1_000", "not a plain number"),
        ("0x10", "not a plain number"),
        ("12abc", "not a plain number"),
        ("1e", "not a plain number"),
        # Refused by the length check before anything else.
        ("9" * 100_000, "the number is too large"),
        ("1e-9" + " " * 100_000 + "x" * 30, "longer than 30 characters"),
        ("0" * 31, "longer than 30 characters"),
        # Refused after the range check on a short, cheap Decimal.
        ("1e308", "the number is too large"),
        ("-1e999", "the number is too large"),
        ("1000000000.000001", "the number is too large"),
        ("1e-7", "more than 6 decimal places"),
        ("1e-999", "more than 6 decimal places"),
        ("NaN", "not a number"),
        ("nan", "not a number"),
        ("sNaN", "not a number"),
        ("Infinity", "not a number"),
        ("-inf", "not a number"),
        (".", "not a number"),
        ("-", "not a number"),
        ("", "not a number"),
        ("\x00", "not a number"),
    ],
    ids=lambda value: value[:20],
)
def test_parse_decimal_refuses_with_a_reason(raw, reason):
    number, given = parse_decimal(raw)
    assert number is None
    assert given.startswith(reason), given


def test_clean_query_shows_no_notice(client, catalog):
    response = client.get(URL, {"category": "phones", "min_ram": "8"})
    assert notices(response) == []
    assert "Some filters were ignored" not in response.text


def test_pages_hold_24_devices_and_links_keep_the_filters(client):
    phones = CategoryFactory(name="Phones")
    DeviceFactory.create_batch(PER_PAGE + 5, category=phones)
    DeviceFactory.create_batch(3)
    response = client.get(URL, {"category": "phones", "sort": "name", "junk": "x"})
    assert len(names(response)) == PER_PAGE
    assert "29 devices" in response.text
    assert 'href="?category=phones&amp;sort=name&amp;page=2"' in response.text
    page2 = client.get(URL, {"category": "phones", "sort": "name", "page": "2"})
    assert len(names(page2)) == 5
    assert 'href="?category=phones&amp;sort=name&amp;page=1"' in page2.text


def test_page_past_the_end_shows_the_last_page(client):
    DeviceFactory.create_batch(PER_PAGE + 1)
    response = client.get(URL, {"page": "7"})
    assert response.context["page"].number == 2
    assert "There is no page 7; showing page 2." in notices(response)


def test_empty_result_offers_to_clear_filters(client, catalog):
    response = client.get(URL, {"min_ram": "1000"})
    assert names(response) == []
    assert "0 devices" in response.text
    assert "No device matches these filters." in response.text


def test_each_result_is_a_device_card_with_a_compare_button(client, catalog):
    response = client.get(URL, {"q": "Bravo"})
    assert response.text.count('class="card device-card"') == 1
    assert 'aria-label="Add Bravo to your compare list"' in response.text
    assert "RAM" in response.text and "12 GB" in response.text
    assert "$700" in response.text


def test_card_without_a_photo_shows_a_drawing_not_initials(client, catalog):
    html = client.get(URL, {"q": "Echo"}).text
    assert "device-picture--card" in html
    assert 'class="placeholder"' not in html


def test_full_page_has_the_form_with_htmx_and_plain_fallbacks(client, catalog):
    html = client.get(URL).text
    assert 'hx-get="/devices/"' in html and 'action="/devices/"' in html
    assert 'hx-trigger="change, submit"' in html and 'hx-push-url="true"' in html
    assert 'hx-target="#results"' in html
    assert '<button type="submit">Apply filters</button>' in html
    assert '<a href="/devices/">Clear</a>' in html
    assert "<details" in html


def test_htmx_request_gets_only_the_results(client, catalog):
    response = client.get(URL, {"category": "phones"}, headers={"HX-Request": "true"})
    html = response.text
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and "Your compare list" not in html
    assert "4 devices" in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_request_redraws_spec_filters_only_for_another_category(client, catalog):
    headers = {"HX-Request": "true", "X-Catalog-Fields-For": ""}
    changed = client.get(URL, {"category": "laptops"}, headers=headers)
    assert 'id="catalog-spec-fields" data-fields-for="laptops" hx-swap-oob="true"' in changed.text
    headers["X-Catalog-Fields-For"] = "laptops"
    same = client.get(URL, {"category": "laptops"}, headers=headers)
    assert 'id="catalog-spec-fields"' not in same.text


def test_htmx_response_updates_title_heading_and_badge_out_of_band(client, catalog):
    response = client.get(
        URL, {"category": "laptops", "min_ram": "8"}, headers={"HX-Request": "true"}
    )
    html = response.text
    assert "<title>Laptops — Specwise</title>" in html
    assert '<h1 id="catalog-title" hx-swap-oob="true">Laptops</h1>' in html
    assert '<span id="filters-badge" hx-swap-oob="true"><span class="badge">2<' in html


def test_history_restore_and_boosted_requests_get_the_full_page(client, catalog):
    for header in ("HX-History-Restore-Request", "HX-Boosted"):
        response = client.get(URL, headers={"HX-Request": "true", header: "true"})
        assert "<html" in response.text
        assert "hx-swap-oob" not in response.text


def test_catalog_query_budget_filtered_and_sorted_by_spec(
    client, big_catalog, give_list, django_assert_max_num_queries
):
    give_list(client, big_catalog["devices"][:4])
    query = {"category": "phones", "min_spec-0": "5", "max_price": "700", "sort": "best-spec-1"}
    with django_assert_max_num_queries(8):
        response = client.get(URL, query)
    assert response.status_code == 200
    # Phones are gadgets 0, 3, … 57; spec 0 is 6 or more from gadget 6; price ≤ 700 up to 60.
    shown = names(response)
    assert len(shown) == 18 and response.text.count('class="card device-card"') == 18
    assert shown[:2] == ["Gadget 57", "Gadget 54"]


def test_catalog_query_budget_unfiltered_second_page(
    client, big_catalog, give_list, django_assert_max_num_queries
):
    give_list(client, big_catalog["devices"][:4])
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"page": "2", "sort": "price-high"})
    assert names(response)[0] == "Gadget 35" and len(names(response)) == PER_PAGE


def test_filter_options_are_cached_until_the_catalog_changes(
    catalog, committed, django_assert_num_queries, version_queries
):
    first = filter_options()
    with django_assert_num_queries(version_queries):
        assert filter_options() == first
    with committed():
        CategoryFactory(name="Tablets")
    assert "tablets" in {category.slug for category in filter_options().categories}


# Brands follow the category, with their device counts.


def brand_labels(response):
    return [
        f"{choice.brand.name} ({choice.count})"
        for choice in response.context["filters"].brand_choices
    ]


def test_brand_choices_are_the_categorys_brands_with_their_counts(client, catalog):
    BrandFactory(name="Empty Maker")  # no devices: offered nowhere
    laptops = client.get(URL, {"category": "laptops"})
    assert brand_labels(laptops) == ["Zeta (1)"]
    assertInHTML('<label for="filter-brand-zeta">Zeta (1)</label>', laptops.text)
    assert 'id="filter-brand-acme"' not in laptops.text
    phones = client.get(URL, {"category": "phones"})
    assert brand_labels(phones) == ["Acme (2)", "Zeta (2)"]
    everything = client.get(URL)
    assert brand_labels(everything) == ["Acme (2)", "Zeta (3)"]
    assertInHTML('<label for="filter-brand-acme">Acme (2)</label>', everything.text)
    assert "Empty Maker" not in everything.text


def test_brand_without_devices_in_the_category_is_ignored_and_explained(client, catalog):
    response = client.get(URL, {"category": "laptops", "brand": ["acme", "zeta"]})
    assert names(response) == ["Echo Book"]
    assert notices(response) == ["Ignored brand=acme: Acme has no devices in Laptops."]
    assert response.context["filters"].querystring == "category=laptops&brand=zeta"
    assert 'value="zeta" checked' in response.text


def test_brand_choices_of_a_category_without_devices_are_empty(client, catalog):
    CategoryFactory(name="Tablets")
    response = client.get(URL, {"category": "tablets", "brand": "acme"})
    assert names(response) == []
    assert notices(response) == ["Ignored brand=acme: Acme has no devices in Tablets."]
    # An empty placeholder stays, for the next out-of-band redraw to find.
    assert '<div id="catalog-brands" hidden></div>' in response.text


def test_htmx_request_redraws_brand_choices_only_for_another_category(client, catalog):
    headers = {"HX-Request": "true", "X-Catalog-Fields-For": ""}
    changed = client.get(URL, {"category": "laptops"}, headers=headers)
    assert '<fieldset id="catalog-brands" class="field brand-choices" hx-swap-oob="true">' in (
        changed.text
    )
    assert "Zeta (1)" in changed.text and "Acme" not in changed.text
    headers["X-Catalog-Fields-For"] = "laptops"
    same = client.get(URL, {"category": "laptops"}, headers=headers)
    assert 'id="catalog-brands"' not in same.text


# Any field name works, "Price" included.


@pytest.fixture
def price_field(catalog):
    """A filterable "Price" spec (EUR, lower is better) beside the launch price (USD)."""
    field = SpecFieldFactory(
        name="Price",
        unit="",
        kind=NUMBER,
        direction="lower",
        filterable=True,
        categories=[CategoryFactory(name="Phones"), CategoryFactory(name="Laptops")],
    )
    for name, euros in [("Alpha", 280), ("Bravo", 650), ("Charlie", 450), ("Echo Book", 1100)]:
        SpecValueFactory(device=catalog[name], field=field, value=str(euros))
    return field


@pytest.mark.parametrize(
    ("slug", "param"),
    [("ram", "ram"), ("price", "price-spec"), ("price-spec", "price-spec-spec"), ("q", "q")],
)
def test_spec_param_names_a_field_apart_from_the_built_in_parameters(slug, param):
    assert spec_param(SpecField(slug=slug)) == param


def test_a_spec_field_named_price_filters_beside_the_launch_price(client, catalog, price_field):
    assert price_field.slug == "price"
    response = client.get(URL, {"min_price-spec": "400", "sort": "name"})
    assert names(response) == ["Bravo", "Charlie", "Echo Book"]
    assert notices(response) == []
    both = {"min_price-spec": "400", "max_price": "600", "sort": "name"}
    assert names(client.get(URL, both)) == ["Charlie"]
    # The launch price keeps its own names.
    launch = client.get(URL, {"min_price": "600", "sort": "name"})
    assert names(launch) == ["Bravo", "Echo Book"]
    assert notices(launch) == []
    assert 'name="min_price-spec"' in launch.text and 'name="min_price"' in launch.text
    assert response.context["filters"].querystring == "min_price-spec=400&sort=name"


def test_a_spec_field_named_price_sorts(client, catalog, price_field):
    response = client.get(URL, {"sort": "best-price-spec"})
    assert names(response) == ["Alpha", "Charlie", "Bravo", "Echo Book", "Delta"]
    assertInHTML(
        '<option value="best-price-spec" selected>Price: lowest first</option>', response.text
    )


def test_a_spec_field_named_price_has_its_own_cached_pages(client, catalog, price_field):
    assert is_catalog_parameter("min_price-spec")
    assert len(names(client.get(URL))) == 5
    assert names(client.get(URL, {"max_price-spec": "300"})) == ["Alpha"]


# Every parameter the catalog understands keys its cached pages: each value its own page.

CACHED_PAGES = {
    "sort": [
        ({"sort": "name"}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo Book"]),
        ({"sort": "oldest"}, ["Alpha", "Charlie", "Bravo", "Echo Book", "Delta"]),
        ({"sort": "best-weight"}, ["Charlie", "Alpha", "Bravo", "Echo Book", "Delta"]),
    ],
    "q": [({"q": "alpha"}, ["Alpha"]), ({"q": "bravo"}, ["Bravo"])],
    "category": [
        ({"category": "phones"}, ["Bravo", "Charlie", "Alpha", "Delta"]),
        ({"category": "laptops"}, ["Echo Book"]),
    ],
    "brand": [
        ({"brand": "acme"}, ["Bravo", "Alpha"]),
        ({"brand": "zeta"}, ["Echo Book", "Charlie", "Delta"]),
    ],
    "status": [
        ({"status": "available"}, ["Bravo"]),
        ({"status": ["discontinued", "cancelled"]}, ["Alpha", "Delta"]),
    ],
    "min_price": [
        ({"min_price": "600"}, ["Echo Book", "Bravo"]),
        ({"min_price": "400"}, ["Echo Book", "Bravo", "Charlie"]),
    ],
    "max_price": [
        ({"max_price": "400"}, ["Alpha"]),
        ({"max_price": "800"}, ["Bravo", "Charlie", "Alpha"]),
    ],
    "year_from": [
        ({"year_from": "2023"}, ["Echo Book", "Bravo"]),
        ({"year_from": "2022"}, ["Echo Book", "Bravo", "Charlie"]),
    ],
    "page": [({"page": "1"}, ["Echo Book", "Bravo"]), ({"page": "2"}, ["Charlie", "Alpha"])],
    # Spec ranges: min_<field> and max_<field>.
    "min_ram": [
        ({"min_ram": "12"}, ["Echo Book", "Bravo"]),
        ({"min_ram": "8"}, ["Echo Book", "Bravo", "Charlie"]),
    ],
    "max_weight": [
        ({"max_weight": "200"}, ["Charlie", "Alpha"]),
        ({"max_weight": "1000"}, ["Bravo", "Charlie", "Alpha"]),
    ],
}


def card_names(response):
    """The devices the page shows, read from its HTML (a cached page has no context)."""
    assert response.status_code == 200
    return re.findall(r'class="device-card__name"><a href="[^"]*">([^<]*)</a>', response.text)


def test_every_catalog_parameter_has_its_cached_pages_checked():
    assert set(CACHED_PAGES) >= PARAMETERS
    assert all(is_catalog_parameter(name) for name in CACHED_PAGES)


@pytest.mark.parametrize("param", sorted(CACHED_PAGES))
def test_each_value_of_a_catalog_parameter_gets_its_own_cached_page(client, catalog, param):
    cases = CACHED_PAGES[param]
    # Two devices a page, so that the second page has some.
    with mock.patch("catalog.filters.PER_PAGE", 2 if param == "page" else PER_PAGE):
        for _served in ("rendered", "cached"):
            for query, expected in cases:
                assert card_names(client.get(URL, query)) == expected, query


# Sort labels read alike.


def test_sort_labels_read_consistently(client, catalog):
    SpecFieldFactory(
        name="Display size",
        kind=NUMBER,
        filterable=True,
        categories=[CategoryFactory(name="Phones")],
    )
    html = client.get(URL, {"category": "phones"}).text
    for value, label in [
        ("", "Newest first"),
        ("oldest", "Oldest first"),
        ("name", "Name A–Z"),
        ("price-low", "Price: low to high"),
        ("price-high", "Price: high to low"),
        ("best-battery-capacity", "Battery capacity: highest first"),
        ("best-weight", "Weight: lowest first"),
        ("best-display-size", "Display size: highest first"),  # no direction
    ]:
        selected = " selected" if value == "" else ""
        assertInHTML(f'<option value="{value}"{selected}>{label}</option>', html)


# The name search ignores case and accents; LIKE wildcards are literal.


def test_name_search_ignores_case_and_accents(client, catalog):
    DeviceFactory(name="Portégé X30")
    DeviceFactory(name="Portege Z20")
    for query in ["portege", "PORTÉGÉ", "Portégé"]:
        assert sorted(names(client.get(URL, {"q": query}))) == ["Portege Z20", "Portégé X30"]


def test_name_search_wildcards_are_literal(client, catalog):
    DeviceFactory(name="Model 5_0")
    DeviceFactory(name="Model 500")
    assert names(client.get(URL, {"q": "5_0"})) == ["Model 5_0"]
    assert names(client.get(URL, {"q": "%"})) == []


def test_cards_show_key_numbers_in_the_fields_unit(client):
    weight = SpecFieldFactory(
        name="Weight", unit="g", kind=SpecField.Kind.NUMBER, direction="lower", key=True
    )
    laptop = DeviceFactory(name="Heavy Laptop")
    SpecValueFactory(device=laptop, field=weight, value="1.37kg", number=1370)
    card = client.get(URL).text.split("Heavy Laptop", 1)[1].split("</article>", 1)[0]
    assert "1,370 g" in card
    assert "1.37kg" not in card


# Deep pages: at most MAX_PAGES pages are linked.


def test_pages_past_the_cap_are_not_linked_and_the_visitor_is_told_why(client, settings):
    DeviceFactory.create_batch(PER_PAGE * 2 + 1)
    with mock.patch("catalog.filters.MAX_PAGES", 2):
        response = client.get(URL, {"sort": "name"})
        last = client.get(URL, {"sort": "name", "page": "3"})
    assert response.context["page"].paginator.num_pages == 2
    assert "Showing the first 48 matches: narrow the filters to see the rest." in response.text
    assert "49 devices" in response.text and "page=3" not in response.text
    assert last.context["page"].number == 2
    assert (
        "Page 3 is past the first 48 matches; showing page 2. Narrow the filters to see the rest."
        in notices(last)
    )


def test_a_short_catalog_shows_no_cap_message(client, catalog):
    assert "narrow the filters to see the rest" not in client.get(URL).text


def test_spec_sort_pages_run_on_into_the_devices_without_a_value(client, catalog):
    query = {"sort": "best-battery-capacity", "category": "phones"}
    with mock.patch("catalog.filters.PER_PAGE", 3):
        first = names(client.get(URL, query))
        second = names(client.get(URL, {**query, "page": "2"}))
    assert first + second == ["Bravo", "Delta", "Alpha", "Charlie"]


# Cards: their static part is cached per device, the compare button drawn per request.


@pytest.fixture
def card_renders(monkeypatch):
    rendered = []
    real = catalog_cards.render_to_string

    def counting(template, context):
        rendered.append(context["device"].name)
        return real(template, context)

    monkeypatch.setattr(catalog_cards, "render_to_string", counting)
    return rendered


def test_another_filter_reuses_the_cached_cards(client, catalog, card_renders):
    client.get(URL, {"category": "phones"})
    assert sorted(card_renders) == ["Alpha", "Bravo", "Charlie", "Delta"]
    card_renders.clear()
    response = client.get(URL, {"category": "phones", "sort": "name", "min_ram": "8"})
    assert names(response) == ["Bravo", "Charlie"]
    # Bravo came first (its picture loaded at once) on both pages: nothing drawn again.
    assert card_renders == []
    assert response.text.count('class="card device-card"') == 2
    assert 'aria-label="Add Charlie to your compare list"' in response.text


def test_cached_cards_get_each_visitors_compare_button(client, catalog, give_list):
    client.get(URL, {"category": "phones"})
    give_list(client, [catalog["Charlie"]])
    html = client.get(URL, {"category": "phones", "sort": "name"}).text
    assert 'aria-label="Remove Charlie from your compare list"' in html
    assert 'aria-label="Add Bravo to your compare list"' in html
    assert html.count("<!-- compare button -->") == 0


def test_an_edit_to_a_device_changes_its_cached_card(client, catalog, committed):
    client.get(URL, {"category": "phones"})
    with committed():
        bravo = catalog["Bravo"]
        bravo.launch_price = Decimal(650)
        bravo.save()
    html = client.get(URL, {"category": "phones", "sort": "name"}).text
    assert "$650" in html and "$700" not in html


def test_a_card_with_the_page_cache_marker_in_its_text_still_renders(client, catalog):
    DeviceFactory(
        name=f"Odd {MARKER_PREFIX}<!-- compare button -->", category=catalog["Alpha"].category
    )
    for _ in range(2):
        html = client.get(URL, {"q": "odd"}).text
        assert html.count('class="compare-button"') == 1
        assert "&lt;!-- compare button --&gt;" in html
