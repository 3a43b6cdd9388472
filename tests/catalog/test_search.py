"""Device search as visitors use it: the header search (/search/), the catalog's name box
(/devices/?q=) and the compare widget (/compare/find/), one engine (catalog.search).

Run on SQLite and on PostgreSQL: the results must be the same.
"""

import datetime
import re

import pytest
from django.urls import reverse

from catalog.filters import PER_PAGE
from catalog.models import Device
from comparisons.views import FIND_LIMIT
from core.content import content_changed
from news.views import SEARCH_DEVICES
from tests.factories import BrandFactory, CategoryFactory, DeviceFactory

pytestmark = pytest.mark.django_db

AVAILABLE, CANCELLED = Device.Status.AVAILABLE, Device.Status.CANCELLED


def day(year, month=1):
    return datetime.date(year, month, 1)


@pytest.fixture
def phones(db):
    """Well-known phones with their rivals and near misses, named as the real catalog does
    (brand first), with realistic dates: newer near misses would win any tie."""
    phones = CategoryFactory(name="Phones")
    brands = {name: BrandFactory(name=name) for name in ("Samsung", "Google", "Apple", "Xiaomi")}
    made = {}
    rows = [
        ("Samsung", "Samsung Galaxy S21", day(2021)),
        ("Samsung", "Samsung Galaxy S21+", day(2021)),
        ("Samsung", "Samsung Galaxy S21 Ultra", day(2021)),
        ("Samsung", "Samsung Galaxy S21 FE", day(2022)),
        ("Samsung", "Samsung Galaxy S20", day(2020)),
        ("Samsung", "Samsung Galaxy S22", day(2022)),
        ("Samsung", "Samsung Galaxy S23", day(2023)),
        ("Samsung", "Samsung Galaxy A21s", day(2020)),
        ("Samsung", "Samsung Galaxy A52", day(2021)),
        ("Samsung", "Samsung Galaxy Tab S7", day(2020)),
        ("Google", "Google Pixel 5", day(2020)),
        ("Google", "Google Pixel 5a", day(2021)),
        ("Google", "Google Pixel 4a", day(2020)),
        ("Google", "Google Pixel 6", day(2021)),
        ("Google", "Google Pixel 6a", day(2022)),
        ("Google", "Google Pixel 7a", day(2023)),
        ("Apple", "Apple iPhone 12", day(2020)),
        ("Apple", "Apple iPhone 12 mini", day(2020)),
        ("Apple", "Apple iPhone 12 Pro", day(2020)),
        ("Apple", "Apple iPhone 12 Pro Max", day(2020)),
        ("Apple", "Apple iPhone 13 Pro Max", day(2021)),
        ("Apple", "Apple iPhone 11 Pro Max", day(2019)),
        ("Apple", "Apple iPhone 15 Pro Max", day(2023)),
        ("Xiaomi", "Xiaomi 12 Pro", day(2022)),
        ("Xiaomi", "Xiaomi Poco X3 Pro", day(2021)),
    ]
    for i, (brand, name, released) in enumerate(rows):
        made[name] = DeviceFactory(
            name=name, slug=f"phone-{i}", brand=brands[brand], category=phones, released=released
        )
    return made


def header_search(client, query):
    response = client.get(reverse("news:search"), {"q": query})
    assert response.status_code == 200
    return response


def header_names(client, query):
    return [device.name for device in header_search(client, query).context["found"].devices]


def catalog_names(client, query, **params):
    response = client.get(reverse("catalog:device-list"), {"q": query, **params})
    assert response.status_code == 200
    return [device.name for device in response.context["devices"]]


def widget_names(client, query):
    response = client.get(reverse("comparisons:compare-find"), {"q": query})
    assert response.status_code == 200
    return [device.name for device in response.context["found"]]


MISSPELT = [
    ("galxy s21", "Samsung Galaxy S21"),
    ("pixle 5a", "Google Pixel 5a"),
    ("iphone 12 pro mx", "Apple iPhone 12 Pro Max"),
    ("galaxys21", "Samsung Galaxy S21"),
    ("iphone12", "Apple iPhone 12"),
    ("galaxy s 21", "Samsung Galaxy S21"),
    ("GALAXY  s21", "Samsung Galaxy S21"),
    ("iphnoe 12 pro", "Apple iPhone 12 Pro"),
    ("samsnug galxay s21", "Samsung Galaxy S21"),
    # Two neighbours swapped in a short word: "tba", "rpo".
    ("galaxy tba s7", "Samsung Galaxy Tab S7"),
    ("poco x3 rpo", "Xiaomi Poco X3 Pro"),
]


@pytest.mark.parametrize(("query", "meant"), MISSPELT)
def test_misspelt_queries_find_the_device_meant_in_the_top_three_everywhere(
    client, phones, query, meant
):
    assert meant in header_names(client, query)[:3]
    assert meant in catalog_names(client, query)[:3]
    assert meant in widget_names(client, query)[:3]


def test_the_same_query_gives_the_same_order_in_all_three_places(client, phones):
    header = header_names(client, "galaxy")
    assert header[:8] == widget_names(client, "galaxy") == catalog_names(client, "galaxy")[:8]


def test_a_typo_in_a_model_number_is_not_forgiven(client, phones):
    # "s22" is another phone, not a typo for "s21"; nor is "s12" one with a swap.
    names = header_names(client, "galaxy s22")
    assert "Samsung Galaxy S21" not in names
    assert names[0] == "Samsung Galaxy S22"
    assert "Samsung Galaxy S21" not in header_names(client, "galaxy s12")


def test_exact_beats_prefix_beats_all_words_beats_near(client, db):
    brand = BrandFactory(name="Lumo")
    # The weaker the match, the better its status and the newer it is: only the match
    # puts them in this order.
    near = DeviceFactory(name="Lumo Phantim Screen", brand=brand, released=day(2025))
    words = DeviceFactory(name="Lumo Screen Phantom", brand=brand, released=day(2024))
    prefix = DeviceFactory(name="Lumo Phantom Screen Max", brand=brand, released=day(2023))
    exact = DeviceFactory(
        name="Lumo Phantom Screen",
        brand=brand,
        released=day(2019),
        status=Device.Status.DISCONTINUED,
    )
    DeviceFactory(name="Lumo Other", brand=brand)
    expected = [exact.name, prefix.name, words.name, near.name]
    assert header_names(client, "phantom screen") == expected
    assert catalog_names(client, "phantom screen") == expected
    assert widget_names(client, "phantom screen") == expected


def test_a_cancelled_device_ranks_below_an_available_one_of_equal_match(client, db):
    brand = BrandFactory(name="Orbis")
    cancelled = DeviceFactory(
        name="Orbis One", slug="orbis-one-c", brand=brand, released=day(2024), status=CANCELLED
    )
    available = DeviceFactory(
        name="Orbis One", slug="orbis-one-a", brand=brand, released=day(2020), status=AVAILABLE
    )
    announced = DeviceFactory(
        name="Orbis One",
        slug="orbis-one-announced",
        brand=brand,
        released=day(2025),
        status=Device.Status.ANNOUNCED,
    )
    slugs = [available.slug, announced.slug, cancelled.slug]
    response = header_search(client, "orbis one")
    assert [d.slug for d in response.context["found"].devices] == slugs
    response = client.get(reverse("catalog:device-list"), {"q": "orbis one"})
    assert [d.slug for d in response.context["devices"]] == slugs


def test_equal_matches_of_equal_status_put_the_newer_first(client, db):
    brand = BrandFactory(name="Vela")
    for year in (2019, 2023, 2021):
        DeviceFactory(name=f"Vela Note {year}", brand=brand, released=day(year))
    assert header_names(client, "vela note") == [
        "Vela Note 2023",
        "Vela Note 2021",
        "Vela Note 2019",
    ]


@pytest.fixture
def many_galaxies(db):
    """More matches than any list shows at once, and other phones."""
    brand = BrandFactory(name="Samsung")
    phones = CategoryFactory(name="Phones")
    for i in range(30):
        DeviceFactory(
            name=f"Samsung Galaxy M{i}",
            brand=brand,
            category=phones,
            released=day(2000 + i % 20, 1 + i % 12),
        )
    for i in range(5):
        DeviceFactory(name=f"Nokia {i}", brand=BrandFactory(name=f"Nokia {i}"))
    return 30


def test_the_count_is_true_and_see_all_lists_every_match_across_pages(client, many_galaxies):
    response = header_search(client, "galaxy")
    found = response.context["found"]
    assert len(found.devices) == SEARCH_DEVICES < many_galaxies
    assert found.count == many_galaxies
    assert "Devices: <span" in response.text and f">{many_galaxies}</span>" in response.text
    see_all = re.search(
        r'<a class="see-all" href="([^"]+)">See all (\d+) devices</a>', response.text
    )
    assert see_all and int(see_all.group(2)) == many_galaxies
    url = see_all.group(1).replace("&amp;", "&")
    first = client.get(url)
    assert first.context["page"].paginator.count == many_galaxies
    second = client.get(url + "&page=2")
    listed = [d.name for d in first.context["devices"]] + [
        d.name for d in second.context["devices"]
    ]
    assert len(first.context["devices"]) == PER_PAGE
    assert len(listed) == len(set(listed)) == many_galaxies
    # The same order as the header search's first 20.
    assert listed[:SEARCH_DEVICES] == [d.name for d in found.devices]


def test_the_widget_shows_the_best_eight_and_more_leads_to_the_rest(client, many_galaxies):
    response = client.get(reverse("comparisons:compare-find"), {"q": "galaxy"})
    assert len(response.context["found"]) == FIND_LIMIT
    more = re.search(r'<a href="([^"]+)">more…', response.text)
    assert more, response.text
    assert f"({many_galaxies - FIND_LIMIT} other matches)" in response.text
    listed = client.get(more.group(1).replace("&amp;", "&"))
    assert listed.context["page"].paginator.count == many_galaxies
    # The widget's partial (htmx) says the same.
    partial = client.get(
        reverse("comparisons:compare-find"), {"q": "galaxy"}, headers={"HX-Request": "true"}
    )
    assert "more…" in partial.text


def test_no_more_link_when_everything_is_shown(client, phones):
    response = client.get(reverse("comparisons:compare-find"), {"q": "pixel 6a"})
    assert "more…" not in response.text
    response = header_search(client, "pixel 6a")
    assert "See all" not in response.text


def test_did_you_mean_appears_for_a_near_miss_with_no_match(client, db):
    brand = BrandFactory(name="Lumo")
    DeviceFactory(name="Lumo Phantom Screen", brand=brand)
    DeviceFactory(name="Lumo Other", brand=brand)
    # Two edits in "fantom": more than a six-letter word is forgiven, so nothing matches.
    response = header_search(client, "fantom screem")
    assert response.context["found"].count == 0
    assert 'Did you mean <a href="/search/?q=phantom%20screen">phantom screen</a>?' in response.text
    response = client.get(reverse("catalog:device-list"), {"q": "fantom screem"})
    assert response.context["page"].paginator.count == 0
    assert 'Did you mean <a href="/devices/?q=phantom+screen">phantom screen</a>?' in response.text
    response = client.get(reverse("comparisons:compare-find"), {"q": "fantom screem"})
    assert "Did you mean" in response.text and "phantom screen</a>?" in response.text
    # Following it finds the device.
    assert header_names(client, "phantom screen")[0] == "Lumo Phantom Screen"


def test_no_did_you_mean_when_nothing_is_near(client, phones):
    response = header_search(client, "qqqqqqqq zzzzzzzz")
    assert response.context["found"].count == 0
    assert "Did you mean" not in response.text


def test_the_widget_reaches_pixel_5_when_typing_pixel_5(client, db):
    google = BrandFactory(name="Google")
    # Nine names that also hold "pixel" and "5" and sort before "Google Pixel 5".
    for n in range(1, 10):
        DeviceFactory(name=f"Google Pixel 1{n} 5G", brand=google, released=day(2026))
    DeviceFactory(name="Google Pixel 5", brand=google, released=day(2020))
    DeviceFactory(name="Google Pixel 5a", brand=google, released=day(2021))
    assert widget_names(client, "pixel 5")[0] == "Google Pixel 5"
    assert widget_names(client, "pixel 5a")[0] == "Google Pixel 5a"


def test_a_name_search_with_another_sort_keeps_every_match_in_that_order(client, phones):
    names = catalog_names(client, "pro max", sort="name")
    assert names == sorted(names)
    assert set(names) >= {
        "Apple iPhone 11 Pro Max",
        "Apple iPhone 12 Pro Max",
        "Apple iPhone 13 Pro Max",
        "Apple iPhone 15 Pro Max",
    }
    newest = catalog_names(client, "pro max", sort="newest")
    assert newest[0] == "Apple iPhone 15 Pro Max"


def test_a_name_search_combines_with_the_other_filters(client, phones):
    laptop = DeviceFactory(
        name="Xiaomi Pro 14 Laptop",
        brand=phones["Xiaomi 12 Pro"].brand,
        category=CategoryFactory(name="Laptops"),
    )
    everything = catalog_names(client, "xiaomi pro")
    assert laptop.name in everything and "Xiaomi 12 Pro" in everything
    response = client.get(reverse("catalog:device-list"), {"q": "xiaomi pro", "category": "phones"})
    only_phones = [device.name for device in response.context["devices"]]
    assert laptop.name not in only_phones and "Xiaomi 12 Pro" in only_phones
    assert response.context["page"].paginator.count == len(only_phones)


def test_sort_offers_best_match_only_with_a_name_search(client, phones):
    response = client.get(reverse("catalog:device-list"), {"q": "pixel"})
    assert '<option value="" selected>Best match</option>' in response.text
    assert '<option value="newest">Newest first</option>' in response.text
    response = client.get(reverse("catalog:device-list"))
    assert "Best match" not in response.text
    assert '<option value="" selected>Newest first</option>' in response.text


HOSTILE = [
    "x" * 5000,
    "galaxy " * 400,
    '"; DROP TABLE catalog_device; --',
    "%",
    "_",
    "()[]{}*^$\\",
    "🚗 📱",
    "ß" * 300,
    "\u200b\u202e",
    "a" * 41 + " " + "b" * 300,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_odd_or_oversized_queries_are_answered_never_a_500(client, phones, query):
    assert client.get(reverse("news:search"), {"q": query}).status_code == 200
    assert client.get(reverse("catalog:device-list"), {"q": query}).status_code == 200
    assert client.get(reverse("comparisons:compare-find"), {"q": query}).status_code == 200


@pytest.fixture
def crowded(db):
    """A hundred matching devices of many brands and categories, with chips, photos' paths
    and spec values: enough for any per-row query to show."""
    categories = [CategoryFactory(name=f"Kind {i}") for i in range(4)]
    brands = [BrandFactory(name=f"Maker {i}") for i in range(10)]
    chip = DeviceFactory(name="Crowd Chip", category=categories[0], brand=brands[0])
    for i in range(100):
        DeviceFactory(
            name=f"Crowd Phone {i}",
            brand=brands[i % 10],
            category=categories[i % 4],
            powered_by=chip,
        )
    return 101


def test_search_pages_stay_within_their_query_budget(
    client, crowded, django_assert_max_num_queries, version_queries
):
    # The index is built once per content version: first build it, then count.
    client.get(reverse("comparisons:compare-find"), {"q": "crowd"})
    with django_assert_max_num_queries(8, info="header search"):
        response = header_search(client, "crowd phone")
    assert response.context["found"].count == 100
    with django_assert_max_num_queries(version_queries + 2, info="widget"):
        response = client.get(reverse("comparisons:compare-find"), {"q": "crowd phne"})
    assert len(response.context["found"]) == FIND_LIMIT
    with django_assert_max_num_queries(8, info="catalog name search"):
        response = client.get(reverse("catalog:device-list"), {"q": "crowd phone"})
    assert response.context["page"].paginator.count == 100
    with django_assert_max_num_queries(9, info="catalog name search with a filter"):
        response = client.get(
            reverse("catalog:device-list"), {"q": "crowd phone", "category": "kind-1"}
        )
    assert response.context["page"].paginator.count == 25


def listed_slugs(response):
    """The devices a search page lists, in order, as its HTML shows them."""
    return re.findall(r'data-compare-button="([^"]+)"', response.text)


def test_the_search_page_is_kept_per_query_until_the_content_changes(
    client, crowded, django_assert_num_queries, version_queries, committed
):
    first = header_search(client, "crowd phone")
    # Asked again, as popular words are: the kept page, with no search and no story query.
    with django_assert_num_queries(version_queries):
        again = header_search(client, "crowd phone")
    assert listed_slugs(again) == listed_slugs(first) != []
    assert 'Devices: <span class="found-count">100</span>' in again.text
    # Another query is a page of its own.
    assert 'Devices: <span class="found-count">0</span>' in header_search(client, "nova").text
    with committed():
        DeviceFactory(name="Crowd Phone Nova", brand=BrandFactory(name="Nova"))
    assert (
        'Devices: <span class="found-count">101</span>' in header_search(client, "crowd phone").text
    )


def test_the_index_answers_the_same_words_once_per_content_version(phones, committed, monkeypatch):
    from catalog import search

    searched = []
    search_once = search.Index.search
    monkeypatch.setattr(
        search.Index,
        "search",
        lambda index, query: searched.append(query) or search_once(index, query),
    )
    first = search.find("Galaxy S21", SEARCH_DEVICES)
    # The same words, however typed: the devices are read again, the index is not searched.
    again = search.find("  galaxy   s21 ", SEARCH_DEVICES)
    assert (again.count, again.devices) == (first.count, first.devices)
    assert again.devices[0].name == "Samsung Galaxy S21"
    assert searched == ["galaxy s21"]
    with committed():
        DeviceFactory(name="Galaxy S21 Lite", brand=BrandFactory(name="Nova"))
    after = search.find("galaxy s21", SEARCH_DEVICES)
    assert after.count == first.count + 1
    assert len(searched) == 2


def test_devices_listed_before_are_not_read_again_until_the_content_changes(
    phones, django_assert_num_queries, version_queries, committed
):
    from catalog import search

    every_galaxy = search.find("galaxy", 50).devices
    # Other words, devices listed before: only the content version is read.
    with django_assert_num_queries(version_queries):
        found = search.find("galaxy s21", 3).devices
    assert {device.pk for device in found} <= {device.pk for device in every_galaxy}
    assert found[0].name == "Samsung Galaxy S21"
    assert found[0].category.name == "Phones"
    # Fresh instances each time: nothing one request sets on them reaches the next.
    assert search.find("galaxy s21", 3).devices[0] is not found[0]
    with committed():
        found[0].category.name = "Smartphones"
        found[0].category.save()
    assert search.find("galaxy s21", 3).devices[0].category.name == "Smartphones"


def test_an_edit_is_found_at_once(client, phones, committed):
    assert header_names(client, "nova flip") == []
    with committed():
        DeviceFactory(name="Nova Flip", brand=BrandFactory(name="Nova"))
    assert header_names(client, "nova flip") == ["Nova Flip"]
    with committed():
        phones["Google Pixel 5"].delete()
    assert "Google Pixel 5" not in header_names(client, "pixel 5")


def test_a_more_compared_device_ranks_first_among_equal_matches(client, db, committed):
    from comparisons.compare import canonical_key
    from comparisons.models import ComparisonCount

    brand = BrandFactory(name="Tern")
    quiet = DeviceFactory(name="Tern Arc", slug="tern-arc-1", brand=brand, released=day(2024))
    popular = DeviceFactory(name="Tern Arc", slug="tern-arc-2", brand=brand, released=day(2024))
    other = DeviceFactory(name="Tern Bolt", brand=brand, released=day(2024))
    assert [d.slug for d in header_search(client, "tern arc").context["found"].devices] == [
        quiet.slug,
        popular.slug,
    ]
    ComparisonCount.objects.create(key=canonical_key([popular.slug, other.slug]), views=40)
    # Views move no content version: the popularity is read when the next change rebuilds
    # the index.
    with committed():
        content_changed()
    found = header_search(client, "tern arc").context["found"].devices
    assert [d.slug for d in found] == [popular.slug, quiet.slug]


def test_typing_a_name_in_the_catalog_refreshes_the_sort_to_best_match(client, phones):
    response = client.get(
        reverse("catalog:device-list"),
        {"q": "pixel"},
        headers={"HX-Request": "true", "HX-Trigger": "catalog-filters"},
    )
    assert 'id="catalog-sort" class="catalog-sort" hx-swap-oob="true"' in response.text
    assert '<option value="" selected>Best match</option>' in response.text
    # Changing the sort itself leaves the select alone (and the focus on it).
    response = client.get(
        reverse("catalog:device-list"),
        {"q": "pixel", "sort": "name"},
        headers={"HX-Request": "true", "HX-Trigger": "filter-sort", "X-Catalog-Fields-For": ""},
    )
    assert 'id="catalog-sort"' not in response.text
