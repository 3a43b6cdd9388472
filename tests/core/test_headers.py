"""Headers every answer carries, and HEAD on every page a GET reaches."""

import pytest
from django.conf import settings

from tests.factories import ArticleFactory, DeviceFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    first = DeviceFactory(name="Header One")
    second = DeviceFactory(name="Header Two")
    tag = TagFactory(name="Headers")
    article = ArticleFactory(tags=[tag], devices=[first])
    key = "-vs-".join(sorted([first.slug, second.slug]))
    return {
        "home": "/",
        "healthz": "/healthz",
        "catalog": "/devices/?sort=name",
        "device": first.get_absolute_url(),
        "brand": first.brand.get_absolute_url(),
        "news": "/news/",
        "article": article.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "search": "/search/?q=header",
        "compare": "/compare/",
        "shared": f"/compare/{key}/",
        "feed": "/news/feed/",
        "sitemap": "/sitemap.xml",
        "sitemap-section": "/sitemap-devices.xml",
        "robots": "/robots.txt",
    }


HTML_PAGES = [
    "home", "catalog", "device", "brand", "news", "article", "tag", "search", "compare", "shared"
]  # fmt: skip
PUBLIC = ["feed", "sitemap", "sitemap-section", "robots"]


@pytest.mark.parametrize("page", [*HTML_PAGES, *PUBLIC, "healthz"])
def test_head_answers_like_get_without_a_body(client, site, page):
    get = client.get(site[page])
    head = client.head(site[page])
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize("page", HTML_PAGES)
def test_html_pages_are_private(client, site, page):
    response = client.get(site[page])
    assert response["Cache-Control"] == "private"


@pytest.mark.parametrize("page", PUBLIC)
def test_what_carries_nothing_personal_is_public_with_a_max_age(client, site, page):
    cache_control = client.get(site[page])["Cache-Control"]
    assert "public" in cache_control and "max-age=" in cache_control


def test_the_personal_compare_page_is_private_with_a_list_too(client, site):
    client.post("/compare/add/", {"device": site["device"].split("/")[2]})
    response = client.get("/compare/")
    assert "Header One" in response.text
    assert response["Cache-Control"] == "private"


@pytest.mark.parametrize("page", ["home", "device", "robots", "healthz"])
def test_every_answer_carries_the_permissions_policy(client, site, page):
    policy = client.get(site[page])["Permissions-Policy"]
    assert policy == settings.PERMISSIONS_POLICY
    assert "camera=()" in policy and "geolocation=()" in policy


def test_the_csrf_cookie_is_http_only(client, site):
    response = client.get(site["device"])
    assert response.cookies[settings.CSRF_COOKIE_NAME]["httponly"]
