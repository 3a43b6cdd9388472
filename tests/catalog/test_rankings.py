import json
import re

import pytest
from django.contrib.auth.models import Group

from catalog.admin import RankingForm
from catalog.demo import load_catalog
from catalog.models import Device, Ranking
from tests.factories import CategoryFactory, DeviceFactory, SpecFieldFactory, SpecValueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phones(db):
    """Thirty phones with a weight (a filterable number, lower is better) and a price."""
    category = CategoryFactory(name="Phones", slug="phones")
    weight = SpecFieldFactory(
        name="Weight",
        slug="weight",
        unit="g",
        kind="number",
        direction="lower",
        filterable=True,
        categories=[category],
    )
    devices = []
    for i in range(30):
        device = DeviceFactory(name=f"Phone {i:02d}", category=category, launch_price=100 + i * 20)
        SpecValueFactory(device=device, field=weight, value=f"{200 - i} g", number=200 - i)
        devices.append(device)
    return devices


def ranking(**kwargs):
    values = {
        "title": "Lightest phones",
        "slug": "lightest-phones",
        "intro": "Light ones.\n\nLightest first.",
        "query": "category=phones&sort=best-weight",
        "published": True,
    }
    return Ranking.objects.create(**{**values, **kwargs})


def test_ranking_page_lists_the_finders_devices_in_order_with_its_link(client, phones):
    page = client.get("/devices/best/lightest-phones/" if ranking() else "")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Lightest phones</h1>" in html
    assert "<p>Light ones.</p>" in html and "<p>Lightest first.</p>" in html
    assert 'href="/devices/?category=phones&amp;sort=best-weight">Open in the finder</a>' in html
    names = re.findall(r'class="device-card__name"><a href="[^"]+">([^<]+)</a>', html)
    assert names[:3] == ["Phone 29", "Phone 28", "Phone 27"] and len(names) == 24


def test_ranking_json_ld_is_an_item_list_of_its_devices(client, phones):
    ranking(query="category=phones&max_price=300&sort=best-weight")
    html = client.get("/devices/best/lightest-phones/").content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)[1]
    )
    assert data["@type"] == "ItemList"
    items = data["itemListElement"]
    # Price ≤ 300: phones 0 to 10, lightest (the last) first.
    assert [item["name"] for item in items] == [f"Phone {i:02d}" for i in range(10, -1, -1)]
    assert [item["position"] for item in items] == list(range(1, 12))
    assert items[0]["url"].endswith(Device.objects.get(name="Phone 10").get_absolute_url())


def test_unpublished_and_unknown_rankings_are_404(client, phones):
    ranking(published=False)
    assert client.get("/devices/best/lightest-phones/").status_code == 404
    assert client.get("/devices/best/nothing/").status_code == 404


def test_a_device_slugged_best_keeps_its_page(client, phones):
    DeviceFactory(name="Best", slug="best")
    ranking()
    assert client.get("/devices/best/").context["device"].slug == "best"
    assert client.get("/devices/best/lightest-phones/").context["ranking"].slug == "lightest-phones"


def test_ranking_page_query_budget(client, phones, django_assert_max_num_queries):
    ranking()
    with django_assert_max_num_queries(8):
        response = client.get("/devices/best/lightest-phones/")
    assert response.status_code == 200


def test_sitemap_lists_published_rankings(client, phones):
    ranking()
    ranking(title="Secret", slug="secret", published=False)
    text = client.get("/sitemap-rankings.xml").content.decode()
    assert "/devices/best/lightest-phones/" in text and "secret" not in text


def form(query):
    return RankingForm(
        data={"title": "T", "slug": "t", "intro": "", "query": query, "order": 0, "published": "on"}
    )


def test_admin_form_refuses_a_query_the_finder_would_ignore_with_its_notices(phones):
    bad = form("category=tablets&sort=best-weight")
    assert not bad.is_valid()
    assert bad.errors["query"] == ["Ignored category=tablets: there is no such category."]
    good = form("?category=phones&sort=best-weight")
    assert good.is_valid(), good.errors
    assert good.cleaned_data["query"] == "category=phones&sort=best-weight"


def test_chief_editors_may_manage_rankings_and_editors_not(db):
    from core.editors import apply_roles

    apply_roles()
    chief = set(
        Group.objects.get(name="Chief editors").permissions.values_list("codename", flat=True)
    )
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_ranking", "change_ranking", "delete_ranking", "view_ranking"} <= chief
    assert not any(name.endswith("_ranking") for name in editors)


def test_demo_rankings_show_devices(client):
    load_catalog()
    load_catalog()
    assert Ranking.objects.count() == 2
    for item in Ranking.objects.all():
        response = client.get(item.get_absolute_url())
        assert response.status_code == 200 and response.context["devices"], item.slug
        assert not RankingForm(instance=item).instance.query.startswith("?")
        assert form(item.query).is_valid(), (item.slug, form(item.query).errors)
