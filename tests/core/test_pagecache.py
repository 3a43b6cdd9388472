import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def nonce_of(response):
    return response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]


@pytest.fixture
def device():
    return DeviceFactory(name="Cached Phone", slug="cached-phone")


def test_a_repeat_visit_costs_only_the_content_version(
    client, device, django_assert_num_queries, version_queries
):
    url = device.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(version_queries):
        second = Client().get(url)
    assert second.status_code == 200
    assert "Cached Phone" in second.text


def test_a_cached_page_carries_a_working_token_for_each_visitor(device):
    url = device.get_absolute_url()
    Client().get(url)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    token = FORM_TOKEN.search(page.text).group(1)
    assert "__specwise" not in page.text
    response = visitor.post(
        reverse("comparisons:compare-add"), {"device": device.slug, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303


def test_a_cached_page_has_a_fresh_nonce_that_matches_its_header(client, device):
    url = device.get_absolute_url()
    first, second = Client().get(url), Client().get(url)
    assert nonce_of(first) != nonce_of(second)
    assert f'nonce="{nonce_of(second)}"' in second.text
    assert nonce_of(first) not in second.text


def test_an_edit_shows_at_the_next_request(client, device, committed):
    url = device.get_absolute_url()
    client.get(url)
    with committed():
        device.name = "Renamed Phone"
        device.save(update_fields=["name"])
    assert "Renamed Phone" in Client().get(url).text


def test_a_visitor_with_a_list_gets_a_personal_page(device):
    url = device.get_absolute_url()
    Client().get(url)  # the generic page is cached
    visitor = Client()
    visitor.post(reverse("comparisons:compare-add"), {"device": device.slug})
    assert settings.COMPARE_COOKIE_NAME in visitor.cookies
    assert "Added ✓" in visitor.get(url).text


def test_visitors_with_the_same_list_share_a_page_others_get_their_own(
    device, django_assert_num_queries, version_queries
):
    other = DeviceFactory(name="Other Phone")
    first, second, third = Client(), Client(), Client()
    # With htmx the answer is the widget, not a flash message (which is never cached).
    add = reverse("comparisons:compare-add")
    first.post(add, {"device": device.slug}, headers={"HX-Request": "true"})
    second.post(add, {"device": device.slug}, headers={"HX-Request": "true"})
    third.post(add, {"device": other.slug}, headers={"HX-Request": "true"})
    url = other.get_absolute_url()
    # The cookies come back (the lists, made without one, are confirmed: one write each, once).
    for visitor in (first, second, third):
        visitor.head(reverse("comparisons:compare"))
    first.get(url)
    with django_assert_num_queries(1 + version_queries):  # the list, then the cached page
        shared = second.get(url)
    own = third.get(url)
    assert shared.status_code == own.status_code == 200
    assert 'aria-label="Add Other Phone to your compare list"' in shared.text
    assert 'aria-label="Remove Other Phone from your compare list"' in own.text


def test_a_deleted_device_is_reported_once_even_from_cached_pages(device):
    gone = DeviceFactory(name="Gone Phone")
    visitor = Client()
    for listed in (device, gone):
        visitor.post(
            reverse("comparisons:compare-add"),
            {"device": listed.slug},
            headers={"HX-Request": "true"},
        )
    url = device.get_absolute_url()
    visitor.get(url)  # cached with both devices listed
    gone.delete()
    assert "Gone Phone is no longer available" in visitor.get(url).text
    assert "Gone Phone" not in visitor.get(url).text


@pytest.mark.parametrize("url", ["/", "/devices/", "/devices/cached-phone/", "/news/"])
def test_a_cache_outage_does_not_take_pages_down(client, device, monkeypatch, url):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "set", "add", "incr", "get_many"):
        monkeypatch.setattr(cache, method, broken)
    response = client.get(url)
    assert response.status_code == 200


def _listing(*devices):
    visitor = Client()
    for listed in devices:
        visitor.post(
            reverse("comparisons:compare-add"),
            {"device": listed.slug},
            headers={"HX-Request": "true"},
        )
    visitor.head(reverse("comparisons:compare"))  # the cookie comes back: list confirmed
    return visitor


def widget_names(response):
    widget = response.text.split('id="compare-widget-title"')[1].split("</section>")[0]
    return re.findall(r'aria-label="Remove (.+?) from your compare list"', widget)


def test_a_cached_page_for_a_list_builds_no_device(device, monkeypatch):
    """A hit needs the list's slugs only: no device is read or built for it."""
    from catalog.models import Device

    other = DeviceFactory(name="Other Phone")
    visitor = _listing(device, other)
    url = other.get_absolute_url()
    visitor.get(url)  # rendered and stored

    def refuse(*args, **kwargs):
        raise AssertionError("a cached page read a device")

    monkeypatch.setattr(Device, "from_db", refuse)
    assert widget_names(visitor.get(url)) == ["Cached Phone", "Other Phone"]


def test_the_same_devices_in_another_order_get_their_own_page(device):
    other = DeviceFactory(name="Other Phone")
    url = "/"
    in_order, reversed_order = _listing(device, other), _listing(other, device)
    assert widget_names(in_order.get(url)) == ["Cached Phone", "Other Phone"]
    assert widget_names(reversed_order.get(url)) == ["Other Phone", "Cached Phone"]
    assert widget_names(in_order.get(url)) == ["Cached Phone", "Other Phone"]


def test_an_edit_to_a_listed_device_shows_in_the_widget_of_a_cached_page(device, committed):
    other = DeviceFactory(name="Other Phone")
    visitor = _listing(device)
    url = other.get_absolute_url()
    assert widget_names(visitor.get(url)) == ["Cached Phone"]
    with committed():
        device.name = "Renamed Phone"
        device.save(update_fields=["name"])
    assert widget_names(visitor.get(url)) == ["Renamed Phone"]


def test_add_remove_and_undo_show_in_every_cached_page(device):
    other = DeviceFactory(name="Other Phone")
    visitor = _listing(device)
    urls = ["/", other.get_absolute_url(), "/devices/"]
    for url in urls:
        assert widget_names(visitor.get(url)) == ["Cached Phone"]
    htmx = {"HX-Request": "true"}
    visitor.post(reverse("comparisons:compare-add"), {"device": other.slug}, headers=htmx)
    for url in urls:
        assert widget_names(visitor.get(url)) == ["Cached Phone", "Other Phone"]
    removed = visitor.post(
        reverse("comparisons:compare-remove"), {"device": device.slug}, headers=htmx
    )
    for url in urls:
        assert widget_names(visitor.get(url)) == ["Other Phone"]
    snapshot = re.search(r'name="snapshot" value="([^"]+)"', removed.text).group(1)
    visitor.post(reverse("comparisons:compare-undo"), {"snapshot": snapshot}, headers=htmx)
    for url in urls:
        assert widget_names(visitor.get(url)) == ["Cached Phone", "Other Phone"]
