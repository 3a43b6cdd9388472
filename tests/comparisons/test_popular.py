"""Popular comparisons: GET views counted once per address and day, written in batches."""

import logging
import urllib.request
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from comparisons import popular
from comparisons.models import CompareList, ComparisonCount, ComparisonView
from tests.comparisons.test_two_processes import app_process
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

URL = "/compare/a-vs-b/"


@pytest.fixture
def trio():
    return [DeviceFactory(name=n, slug=s) for n, s in (("A", "a"), ("B", "b"), ("C", "c"))]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(autouse=True)
def buffer(monkeypatch, clock):
    """A buffer of this test's own, so no view (or memo of one) crosses tests."""
    fresh = popular.ViewBuffer(clock=clock)
    monkeypatch.setattr(popular, "buffer", fresh)
    return fresh


def views(key):
    count = ComparisonCount.objects.filter(key=key).first()
    return count.views if count else 0


def visitor_with_a_list(slug="c"):
    """A client holding a compare token the server issued."""
    client = Client()
    client.post(reverse("comparisons:compare-add"), {"device": slug})
    return client


def test_head_requests_do_not_count(client, trio):
    for _ in range(100):
        assert client.head(URL).status_code == 200
    popular.flush()
    assert views("a-vs-b") == 0
    assert not ComparisonView.objects.exists()


def test_head_requests_for_the_visitors_list_do_not_count(client, trio):
    for slug in ("c", "a"):
        client.post(reverse("comparisons:compare-add"), {"device": slug})
    for _ in range(3):
        assert client.head(reverse("comparisons:compare")).status_code == 200
    assert not popular.buffer.pending
    assert popular.flush() == 0
    assert views("a-vs-c") == 0


def test_a_hundred_gets_from_one_visitor_count_once(client, trio):
    for _ in range(100):
        assert client.get(URL).status_code == 200
    popular.flush()
    assert views("a-vs-b") == 1


def test_two_visitors_with_compare_tokens_from_one_address_count_once(trio):
    for visitor in (visitor_with_a_list(), visitor_with_a_list()):
        visitor.get(URL)
        visitor.get(URL)
    popular.flush()
    assert views("a-vs-b") == 1


def test_fresh_compare_tokens_from_one_address_cannot_inflate_a_comparison(trio):
    # Each client adds (a genuine token) and views, then forgets its cookie.
    for _ in range(25):
        visitor_with_a_list().get(URL)
    popular.flush()
    assert views("a-vs-b") == 1


def test_the_address_not_the_token_is_the_visitor(trio):
    visitor = visitor_with_a_list()
    visitor.get(URL, REMOTE_ADDR="198.51.100.1")
    visitor.get(URL, REMOTE_ADDR="198.51.100.2")
    popular.flush()
    assert views("a-vs-b") == 2


def test_two_addresses_without_a_token_count_twice(client, trio):
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.1"):
        client.get(URL, REMOTE_ADDR=address)
    popular.flush()
    assert views("a-vs-b") == 2


def test_the_address_seen_through_a_trusted_proxy_is_the_visitor(client, trio, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for forwarded in ("198.51.100.1", "203.0.113.9, 198.51.100.1", "198.51.100.2"):
        client.get(URL, HTTP_X_FORWARDED_FOR=forwarded)
    popular.flush()
    assert views("a-vs-b") == 2


def test_the_same_visitor_counts_again_the_next_day(client, trio, monkeypatch):
    monkeypatch.setattr(popular, "today", lambda: date(2026, 3, 1))
    client.get(URL)
    monkeypatch.setattr(popular, "today", lambda: date(2026, 3, 2))
    client.get(URL)
    client.get(URL)
    popular.flush()
    assert views("a-vs-b") == 2


def test_only_a_digest_of_the_visitor_is_stored(trio):
    visitor = visitor_with_a_list()
    visitor.get(URL, REMOTE_ADDR="198.51.100.7")
    Client().get(URL, REMOTE_ADDR="198.51.100.8")
    popular.flush()
    stored = set(ComparisonView.objects.values_list("visitor", flat=True))
    assert len(stored) == 2
    assert all(len(digest) == 64 for digest in stored)
    assert CompareList.objects.get().token not in stored
    assert not stored & {"198.51.100.7", "198.51.100.8"}


def test_views_wait_in_the_buffer_without_a_query(
    client, trio, django_assert_num_queries, version_queries
):
    client.get(URL)  # renders and stores the page
    with django_assert_num_queries(version_queries):
        again = client.get(URL)  # the same visitor again
    with django_assert_num_queries(version_queries):
        other = client.get(URL, REMOTE_ADDR="198.51.100.1")  # a new visitor, still buffered
    for response in (again, other):
        assert response.status_code == 200
        assert "<h1>A vs B</h1>" in response.text
    assert not ComparisonView.objects.exists()
    assert not ComparisonCount.objects.exists()
    assert popular.flush() == 2
    with django_assert_num_queries(version_queries):
        response = client.get(URL)  # already written: remembered, not asked of the database
    assert response.status_code == 200 and "<h1>A vs B</h1>" in response.text
    assert views("a-vs-b") == 2


def test_a_full_buffer_is_written_by_the_view_that_fills_it(client, trio):
    for n in range(1, popular.FLUSH_EVERY):
        client.get(URL, REMOTE_ADDR=f"198.51.100.{n}")
    assert views("a-vs-b") == 0
    client.get(URL, REMOTE_ADDR="198.51.100.250")
    assert views("a-vs-b") == popular.FLUSH_EVERY


def test_a_view_that_waited_too_long_is_written_by_the_next_view(client, trio, clock):
    client.get(URL)
    clock.now += popular.MAX_WAIT - 1
    client.get(URL)
    assert views("a-vs-b") == 0
    clock.now += 1
    client.get(URL)  # the same visitor: not counted again, but the wait is over
    assert views("a-vs-b") == 1


def test_the_same_view_flushed_by_two_processes_counts_once(trio):
    triple = ("a-vs-b", "f" * 64, popular.today())
    first, second = popular.ViewBuffer(), popular.ViewBuffer()
    first.add(triple)
    second.add(triple)
    assert first.flush() == 1
    assert second.flush() == 0
    assert views("a-vs-b") == 1
    assert popular.flush() == 0


def test_a_failing_flush_keeps_the_views_and_the_page(client, trio, buffer, clock, caplog):
    buffer.flush_every = 1
    failing = mock.patch.object(
        ComparisonView.objects, "bulk_create", side_effect=DatabaseError("disk full")
    )
    with failing, caplog.at_level(logging.ERROR, logger="comparisons.popular"):
        assert client.get(URL).status_code == 200
    assert "Could not write 1 comparison views" in caplog.text
    assert len(buffer.pending) == 1
    assert views("a-vs-b") == 0  # the transaction was rolled back whole
    client.get(URL, REMOTE_ADDR="198.51.100.1")
    assert views("a-vs-b") == 0  # no retry before the wait is over
    clock.now += popular.MAX_WAIT
    client.get(URL)
    assert views("a-vs-b") == 2
    assert not buffer.pending


def test_a_broken_visitor_lookup_never_fails_the_page(client, trio):
    with mock.patch.object(popular, "visitor_id", side_effect=RuntimeError("boom")):
        assert client.get(URL).status_code == 200
    assert not popular.buffer.pending


def test_a_key_too_long_to_store_is_not_counted(rf):
    popular.record_view(rf.get("/"), "x" * (popular.KEY_LENGTH + 1))
    assert not popular.buffer.pending


def test_htmx_tables_and_other_statuses_do_not_count(client, trio):
    client.get(URL, {"only": "differences"}, HTTP_HX_REQUEST="true")
    client.get("/compare/b-vs-a/")  # a redirect to the canonical page
    client.get("/compare/a-vs-gone/")  # 404
    assert not popular.buffer.pending


def test_the_visitors_list_counts_by_its_canonical_key(client, trio):
    for slug in ("c", "a"):
        client.post(reverse("comparisons:compare-add"), {"device": slug})
    client.get(reverse("comparisons:compare"))
    client.head(reverse("comparisons:compare"))
    client.get(reverse("comparisons:compare"), {"only": "differences"}, HTTP_HX_REQUEST="true")
    popular.flush()
    assert views("a-vs-c") == 1
    # The list and the shared page of the same devices are one comparison.
    client.get("/compare/a-vs-c/")
    popular.flush()
    assert views("a-vs-c") == 1


def test_a_single_device_list_is_not_counted(client, trio):
    client.post(reverse("comparisons:compare-add"), {"device": "a"})
    client.get(reverse("comparisons:compare"))
    assert popular.flush() == 0


def test_views_before_yesterday_are_pruned_at_a_flush(client, trio):
    day = popular.today()
    for age in (2, 1):
        ComparisonView.objects.create(key="a-vs-b", visitor="old", day=day - timedelta(days=age))
    client.get(URL)
    popular.flush()
    assert sorted(ComparisonView.objects.values_list("day", flat=True)) == [
        day - timedelta(days=1),
        day,
    ]


@pytest.mark.django_db(transaction=True)
def test_a_graceful_restart_writes_the_pending_views():
    DeviceFactory(slug="a")
    DeviceFactory(slug="b")
    with app_process(TRUSTED_PROXY_COUNT="1") as base:
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            request = urllib.request.Request(f"{base}{URL}", headers={"X-Forwarded-For": address})
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200
        assert not ComparisonCount.objects.exists()  # still in the worker's buffer
    # app_process stops gunicorn with SIGTERM, its graceful shutdown, and waits for it.
    assert views("a-vs-b") == 3


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
        found = popular.popular_comparisons()
    assert [(c.key, [d.name for d in c.devices], c.views) for c in found] == [
        ("a-vs-b", ["A", "B"], 5)
    ]


def test_no_popular_comparisons_renders_nothing():
    assert render_to_string("includes/popular_comparisons.html", {}).strip() == ""
