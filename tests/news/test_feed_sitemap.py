import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, BrandFactory, DeviceFactory, TagFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_feed_is_valid_rss_with_the_latest_stories(client, newsroom):
    response = client.get(reverse("news:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "Specwise news"
    assert channel.findtext("link") == "http://testserver/news/"
    items = channel.findall("item")
    assert len(items) == 20
    first, story = items[0], newsroom["articles"][0]
    assert first.findtext("title") == story.title
    assert first.findtext("link") == f"http://testserver{story.get_absolute_url()}"
    assert first.findtext("guid") == first.findtext("link")
    assert first.findtext("description") == story.summary
    assert parsedate_to_datetime(first.findtext("pubDate")) == story.published_at.replace(
        microsecond=0
    )
    assert {c.text for c in first.findall("category")} == {t.name for t in story.tags.all()}


def test_feed_escapes_hostile_titles(client):
    ArticleFactory(title="</title><script>alert(1)</script>", summary="a & b < c")
    root = ET.fromstring(client.get(reverse("news:feed")).content)
    item = root.find("channel/item")
    assert item.findtext("title") == "</title><script>alert(1)</script>"
    assert item.findtext("description") == "a & b < c"


def test_sitemap_lists_published_articles_tags_devices_and_brands(client, hidden_stories):
    brand = BrandFactory(name="Acme")
    device = DeviceFactory(name="Acme One", brand=brand)
    tag = TagFactory(name="Phones news")
    lonely_tag = TagFactory(name="Nobody writes about this")
    article = ArticleFactory(tags=[tag], devices=[device])
    base = "http://testserver"
    index = client.get(reverse("sitemap"))
    assert index.status_code == 200
    assert "public" in index["Cache-Control"]
    sections = [
        loc.text for loc in ET.fromstring(index.content).findall("s:sitemap/s:loc", SITEMAP_NS)
    ]
    # Each app registers its sections; the index lists them in the apps' order.
    names = ("articles", "tags", "authors", "devices", "brands", "rankings")
    assert sorted(sections) == sorted(f"{base}/sitemap-{name}.xml" for name in names)
    urls = {}
    for section in sections:
        response = client.get(section.removeprefix(base))
        assert response.status_code == 200
        urls |= {
            url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
                "s:lastmod", namespaces=SITEMAP_NS
            )
            for url in ET.fromstring(response.content).findall("s:url", SITEMAP_NS)
        }
    assert base + article.get_absolute_url() in urls
    assert base + tag.get_absolute_url() in urls
    assert base + device.get_absolute_url() in urls
    assert base + brand.get_absolute_url() in urls
    assert urls[base + article.get_absolute_url()].startswith(str(article.updated_at.date()))
    assert all(urls.values())  # every entry has a lastmod
    for hidden in (hidden_stories["draft"], hidden_stories["future"]):
        assert base + hidden.get_absolute_url() not in urls
    # A tag whose only stories are hidden (or that has none) is not listed.
    assert base + hidden_stories["tag"].get_absolute_url() not in urls
    assert base + lonely_tag.get_absolute_url() not in urls
