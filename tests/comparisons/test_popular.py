"""Popular comparisons: counted in the cache, written in batches, listed on the home page."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from comparisons import popular
from comparisons.models import ComparisonCount
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio():
    return [DeviceFactory(name=n, slug=s) for n, s in (("A", "a"), ("B", "b"), ("C", "c"))]


def views(key):
    count = ComparisonCount.objects.filter(key=key).first()
    return count.views if count else 0


def test_a_view_writes_nothing_until_the_batch_is_full(client, trio, django_assert_num_queries):
    url = reverse("comparisons:compare-shared", args=["a-vs-b"])
    client.get(url)  # fills the fragment cache
    for _ in range(popular.FLUSH_EVERY - 2):
        with django_assert_num_queries(0):
            client.get(url)
    assert views("a-vs-b") == 0
    client.get(url)
    assert views("a-vs-b") == popular.FLUSH_EVERY
    client.get(url)
    assert views("a-vs-b") == popular.FLUSH_EVERY


def test_the_command_flushes_every_pending_count(client, trio):
    for _ in range(3):
        client.get("/compare/a-vs-b/")
    client.get("/compare/b-vs-c/")
    client.get("/compare/a-vs-b-vs-c/")
    call_command("flush_comparison_counts", stdout=mock.MagicMock())
    assert (views("a-vs-b"), views("b-vs-c"), views("a-vs-b-vs-c")) == (3, 1, 1)
    # Nothing is written twice, and later views are found again.
    call_command("flush_comparison_counts", stdout=mock.MagicMock())
    assert views("a-vs-b") == 3
    client.get("/compare/a-vs-b/")
    call_command("flush_comparison_counts", stdout=mock.MagicMock())
    assert views("a-vs-b") == 4


def test_batch_and_command_together_count_every_view(client, trio):
    for _ in range(popular.FLUSH_EVERY + 5):
        client.get("/compare/a-vs-c/")
    assert views("a-vs-c") == popular.FLUSH_EVERY
    popular.flush_pending()
    assert views("a-vs-c") == popular.FLUSH_EVERY + 5


def test_the_visitors_list_counts_by_its_canonical_key(client, trio):
    for slug in ("c", "a"):
        client.post(reverse("comparisons:compare-add"), {"device": slug})
    client.get(reverse("comparisons:compare"))
    client.get(reverse("comparisons:compare"), {"only": "differences"}, HTTP_HX_REQUEST="true")
    popular.flush_pending()
    assert views("a-vs-c") == 1


def test_a_single_device_list_is_not_counted(client, trio):
    client.post(reverse("comparisons:compare-add"), {"device": "a"})
    client.get(reverse("comparisons:compare"))
    assert popular.flush_pending() == 0


def test_a_broken_cache_never_fails_the_page(client, trio):
    with mock.patch.object(cache, "incr", side_effect=ConnectionError("cache down")):
        response = client.get("/compare/a-vs-b/")
    assert response.status_code == 200


def test_popular_comparisons_skip_deleted_devices_and_order_by_views(trio):
    ComparisonCount.objects.create(key="a-vs-b", views=5)
    ComparisonCount.objects.create(key="b-vs-c", views=9)
    ComparisonCount.objects.create(key="a-vs-gone", views=50)
    found = popular.popular_comparisons()
    assert [(p.key, p.title, p.views) for p in found] == [
        ("b-vs-c", "B vs C", 9),
        ("a-vs-b", "A vs B", 5),
    ]
    html = render_to_string("includes/popular_comparisons.html", {"popular_comparisons": found})
    assert '<a href="/compare/b-vs-c/">B vs C</a>' in html


def test_popular_comparisons_cost_two_queries(trio, django_assert_max_num_queries):
    ComparisonCount.objects.create(key="a-vs-b", views=5)
    with django_assert_max_num_queries(2):
        popular.popular_comparisons()


def test_no_popular_comparisons_renders_nothing():
    assert render_to_string("includes/popular_comparisons.html", {}).strip() == ""
