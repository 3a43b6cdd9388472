"""The page cache keys on what a page understands and swaps only its own markers."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pagecache import MARKER_PREFIX
from tests.factories import ArticleFactory, DeviceFactory, SpecFieldFactory, SpecValueFactory

pytestmark = pytest.mark.django_db

TOKEN_SHAPED = "Zq" * 32  # 64 letters, the shape of a masked CSRF token
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Every page carries the token for htmx's requests.
HTMX_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def queries_to_get(url):
    """How many queries a fresh visitor's GET of ``url`` costs."""
    with CaptureQueriesContext(connection) as queries:
        Client().get(url)
    return len(queries)


def page_entries():
    """Whole pages stored in the local memory cache (the embedded default)."""
    return [key for key in getattr(cache, "_cache", {}) if ":page:" in key]


def test_junk_parameters_share_the_canonical_page(
    device_page_data, django_assert_num_queries, version_queries
):
    """/devices/?x123=… is /devices/: one entry, and none of the junk in it."""
    Client().get("/devices/")
    for n in range(20):
        with django_assert_num_queries(version_queries):
            response = Client().get(f"/devices/?x{n}=junk{n}&utm_source=mail")
        assert response.status_code == 200
        assert f"junk{n}" not in response.text
        assert ">Bounded Phone</a>" in response.text


def test_parameter_order_does_not_make_a_new_entry(
    device_page_data, django_assert_num_queries, version_queries
):
    Client().get("/devices/?sort=name&q=bounded")
    with django_assert_num_queries(version_queries):
        response = Client().get("/devices/?q=bounded&sort=name")
    assert response.status_code == 200
    assert ">Bounded Phone</a>" in response.text


@pytest.mark.skipif(
    "not __import__('django.conf').conf.settings.CONTENT_VERSION_STORE == 'database'",
    reason="counts entries of the local memory cache",
)
def test_a_thousand_junk_urls_add_no_entries(device_page_data):
    client = Client()
    client.get("/devices/")
    before = len(page_entries())
    for n in range(1000):
        client.get(f"/devices/?x{n}={n}")
        client.get(f"/news/?x{n}={n}")
    assert len(page_entries()) <= before + 1


@pytest.mark.parametrize(
    "query", ["min_bogus=5", "brand=no-such-brand", "sort=sideways", "page=abc", "page=999"]
)
def test_a_page_with_a_notice_is_not_stored(device_page_data, query, version_queries):
    url = f"/devices/?{query}"
    first = Client().get(url)
    assert first.status_code == 200
    assert 'class="notice' in first.text or "Ignored" in first.text or "no page" in first.text
    # Nothing stored: the second request renders again.
    assert queries_to_get(url) > version_queries


def test_junk_page_numbers_on_news_are_not_stored(version_queries):
    ArticleFactory()
    Client().get("/news/?page=banana")
    assert queries_to_get("/news/?page=banana") > version_queries


def test_forms_on_a_stored_page_lead_back_to_its_canonical_url(device_page_data):
    device = device_page_data
    response = Client().get(f"{device.get_absolute_url()}?evil=%3Cx%3E")
    assert 'name="next" value="/devices/' in response.text
    assert "evil" not in response.text


@pytest.fixture
def device_page_data():
    return DeviceFactory(name="Bounded Phone", slug="bounded-phone")


def article_text(html):
    return html.split('class="article__body"', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize("served", ["fresh", "cached"])
def test_token_shaped_text_in_a_story_is_served_as_written(served):
    sample = f'<input name="csrfmiddlewaretoken" value="{TOKEN_SHAPED}">'
    article = ArticleFactory(body=f"A sample form:\n\n```\n{sample}\n```\n\n{TOKEN_SHAPED}\n")
    url = article.get_absolute_url()
    if served == "cached":
        Client().get(url)
    response = Client(enforce_csrf_checks=True).get(url)
    assert TOKEN_SHAPED in response.text
    token = HTMX_TOKEN.search(response.text).group(1)
    assert token != TOKEN_SHAPED
    assert token not in article_text(response.text)


def test_token_shaped_device_names_and_spec_values_are_served_as_written():
    device = DeviceFactory(name=f"Device {TOKEN_SHAPED[:40]}")
    SpecValueFactory(device=device, field=SpecFieldFactory(name="Serial"), value=TOKEN_SHAPED)
    Client().get(device.get_absolute_url())
    cached = Client().get(device.get_absolute_url())
    assert TOKEN_SHAPED in cached.text
    assert f"Device {TOKEN_SHAPED[:40]}" in cached.text


@pytest.mark.parametrize(
    "text",
    [
        f"{MARKER_PREFIX}0123456789abcdef0123456789abcdef",
        "__specwise_csrf_token__ and __specwise_csp_nonce__",
    ],
)
def test_marker_text_in_a_story_is_served_as_written_to_every_visitor(text):
    article = ArticleFactory(body=f"The cache's own words: `{text}`")
    url = article.get_absolute_url()
    first, second = Client().get(url), Client().get(url)
    for response in (first, second):
        assert text in response.text
    assert HTMX_TOKEN.search(first.text).group(1) not in second.text


def test_a_page_containing_the_marker_prefix_is_not_stored(version_queries):
    article = ArticleFactory(body=f"`{MARKER_PREFIX}x`")
    url = article.get_absolute_url()
    Client().get(url)
    assert queries_to_get(url) > version_queries


def test_a_stored_page_is_filled_with_each_visitors_own_token(device_page_data):
    url = device_page_data.get_absolute_url()
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    token = FORM_TOKEN.search(page.text).group(1)
    assert MARKER_PREFIX not in page.text
    response = visitor.post(
        reverse("comparisons:compare-add"),
        {"device": device_page_data.slug, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 303
