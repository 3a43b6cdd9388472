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
