import pytest
from django.utils import timezone

from catalog.filters import PER_PAGE
from news.models import Article
from tests.factories import ArticleFactory, BrandFactory, DeviceFactory

pytestmark = pytest.mark.django_db


def test_unknown_brand_is_404(client, db):
    assert client.get("/brands/no-such-brand/").status_code == 404


def test_brand_page_shows_description_and_its_devices_only(client):
    nothing = BrandFactory(name="Nothing", description="Makers of see-through phones.")
    DeviceFactory(name="Nothing Phone (2)", brand=nothing)
    DeviceFactory(name="Someone Else's Phone")
    response = client.get(nothing.get_absolute_url())
    assert response.status_code == 200
    assert "<h1>Nothing</h1>" in response.text
    assert "Makers of see-through phones." in response.text
    assert "Nothing Phone (2)" in response.text
    assert "Someone Else" not in response.text
    assert response.text.count('class="card device-card"') == 1
    assert 'href="/devices/?brand=nothing"' in response.text


def test_brand_devices_are_paginated(client):
    brand = BrandFactory()
    DeviceFactory.create_batch(PER_PAGE + 2, brand=brand)
    first = client.get(brand.get_absolute_url())
    assert len(first.context["devices"]) == PER_PAGE
    assert 'href="?page=2"' in first.text
    second = client.get(brand.get_absolute_url(), {"page": "2"})
    assert len(second.context["devices"]) == 2


def test_brand_page_with_a_junk_page_number_still_works(client):
    brand = BrandFactory()
    DeviceFactory(brand=brand)
    response = client.get(brand.get_absolute_url(), {"page": "zzz"})
    assert response.status_code == 200
    assert response.context["page_notice"] == 'Ignored page "zzz": not a page number.'
    assert "Ignored page &quot;zzz&quot;: not a page number." in response.text


def test_brand_news_lists_published_stories_about_its_devices_newest_first(client):
    brand = BrandFactory(name="Xiaomi")
    phone, car = DeviceFactory(brand=brand), DeviceFactory(brand=brand)
    now = timezone.now()
    for days in range(1, 13):
        ArticleFactory(
            title=f"Xiaomi story {days}",
            devices=[phone, car] if days % 2 else [phone],
            published_at=now - timezone.timedelta(days=days),
        )
    ArticleFactory(title="Xiaomi draft", devices=[phone], status=Article.Status.DRAFT)
    ArticleFactory(title="Other brand story", devices=[DeviceFactory()])
    response = client.get(brand.get_absolute_url())
    titles = [a.title for a in response.context["news"]]
    assert titles == [f"Xiaomi story {days}" for days in range(1, 11)]
    assert "Xiaomi draft" not in response.text
    assert "Other brand story" not in response.text


def test_brand_page_query_budget(client, big_catalog, give_list, django_assert_max_num_queries):
    give_list(client, big_catalog["devices"][:4])
    brand = big_catalog["brands"][0]
    devices = [d for d in big_catalog["devices"] if d.brand_id == brand.pk]
    ArticleFactory.create_batch(12, devices=devices[:3])
    with django_assert_max_num_queries(8):
        response = client.get(brand.get_absolute_url())
    assert response.status_code == 200
    assert f"<h1>{brand.name}</h1>" in response.text
    assert all(f">{device.name}</a></h3>" in response.text for device in devices)
    assert response.text.count('class="card device-card"') == len(devices) == 10
    assert len(response.context["news"]) == 10
