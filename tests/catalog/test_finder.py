"""/devices/ as a finder: the filters in use as removable chips, the sort beside the results,
a skip link, and a plain add that comes back to the card it was made from."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import BrandFactory, CategoryFactory, DeviceFactory, SpecFieldFactory

pytestmark = pytest.mark.django_db

URL = reverse("catalog:device-list")
ADD = reverse("comparisons:compare-add")


@pytest.fixture
def phones():
    category = CategoryFactory(name="Phones", slug="phones")
    brand = BrandFactory(name="Nothing", slug="nothing")
    SpecFieldFactory(
        name="RAM", slug="ram", unit="GB", kind="number", filterable=True, categories=[category]
    )
    return [
        DeviceFactory(name=f"Phone {i}", slug=f"phone-{i}", category=category, brand=brand)
        for i in range(3)
    ]


def chips(response):
    """[(label, href)] of the chips above the results."""
    found = re.findall(r'<a class="chip" href="([^"]*)">(.*?)<span', response.text)
    return [(unescape(label), unescape(href)) for href, label in found]


def test_each_filter_in_use_is_a_chip_linking_to_the_list_without_it(client, phones):
    query = "category=phones&brand=nothing&min_price=100&min_ram=8&sort=name&page=1"
    response = client.get(f"{URL}?{query}")
    assert chips(response) == [
        ("Category: Phones", f"{URL}?brand=nothing&min_price=100&min_ram=8&sort=name"),
        ("Brand: Nothing", f"{URL}?category=phones&min_price=100&min_ram=8&sort=name"),
        ("Price from 100 USD", f"{URL}?category=phones&brand=nothing&min_ram=8&sort=name"),
        ("RAM ≥ 8 GB", f"{URL}?category=phones&brand=nothing&min_price=100&sort=name"),
    ]
    assert 'class="applied-filters__clear" href="/devices/?sort=name"' in response.text


def test_no_chips_without_filters_and_ignored_values_make_none(client, phones):
    assert chips(client.get(URL)) == []
    response = client.get(URL, {"max_price": "-5", "sort": "name"})
    assert chips(response) == []
    assert "Ignored max_price=-5: a price cannot be negative." in response.text
    assert response.text.count('class="card device-card"') == 3


def test_sort_is_outside_the_filter_panel_and_belongs_to_the_form(client, phones):
    html = client.get(URL).text
    panel = html[html.index("<details") : html.index("</details>")]
    assert 'name="sort"' not in panel
    assert re.search(r'<select id="filter-sort" name="sort" form="catalog-filters"', html)
    # Before the results, and a way to skip the filters to them first in the finder.
    assert html.index('id="filter-sort"') < html.index('id="results"')
    assert html.index('href="#results"') < html.index("<details")


def test_htmx_answers_keep_the_chips_in_the_results(client, phones):
    response = client.get(URL, {"brand": "nothing"}, HTTP_HX_REQUEST="true")
    assert response.text.lstrip().startswith('<section id="results"')
    assert chips(response) == [("Brand: Nothing", URL)]


def test_cards_carry_their_anchor_and_their_add_comes_back_to_it(client, phones):
    html = client.get(URL, {"page": "1", "sort": "name"}).text
    assert 'id="device-phone-1"' in html
    assert 'name="next" value="/devices/?page=1&amp;sort=name#device-phone-1"' in html
    response = client.post(ADD, {"device": "phone-1", "next": "/devices/?page=2#device-phone-1"})
    assert response.status_code == 303
    assert response["Location"] == "/devices/?page=2#device-phone-1"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/#device-phone-1", "//evil.example/#x", "javascript:alert(1)"]
)
def test_a_foreign_next_with_an_anchor_is_not_followed(client, phones, next_url):
    response = client.post(ADD, {"device": "phone-1", "next": next_url})
    assert response.status_code == 303
    assert response["Location"] == reverse("comparisons:compare")


def test_search_page_highlights_no_menu_item(client, phones):
    html = client.get(reverse("news:search"), {"q": "phone"}).text
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert 'aria-current="page"' not in nav
    news_nav = client.get(reverse("news:article-list")).text
    assert 'aria-current="page">News</a>' in news_nav
