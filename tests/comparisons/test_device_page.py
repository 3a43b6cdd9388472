import json
import re
from decimal import Decimal

import pytest
from django.test.html import parse_html
from django.utils import timezone

from comparisons.models import SpecField
from news.models import Article
from tests.factories import (
    ArticleFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone():
    chip = DeviceFactory(name="Snapdragon 8+ Gen 1", slug="qualcomm-snapdragon-8-plus-gen-1")
    device = DeviceFactory(
        name="Nothing Phone (2)",
        slug="nothing-phone-2",
        launch_price=Decimal("599"),
        summary="A phone with lights on its back.",
        powered_by=chip,
    )
    battery = SpecGroupFactory(name="Battery", order=2)
    network = SpecGroupFactory(name="Network", order=3)
    display = SpecGroupFactory(name="Display", order=1)
    fields = {
        "capacity": SpecFieldFactory(
            name="Battery capacity", group=battery, kind=SpecField.Kind.NUMBER, key=True
        ),
        "5g": SpecFieldFactory(name="5G", group=network, kind=SpecField.Kind.BOOLEAN),
        "nfc": SpecFieldFactory(name="NFC", group=network, kind=SpecField.Kind.BOOLEAN),
        "size": SpecFieldFactory(name="Display size", group=display, key=True),
    }
    SpecValueFactory(device=device, field=fields["capacity"], value="4700 mAh")
    SpecValueFactory(device=device, field=fields["5g"], value="yes")
    SpecValueFactory(device=device, field=fields["nfc"], value="false")
    SpecValueFactory(device=device, field=fields["size"], value="6.7 in")
    return device


def page(client, device):
    response = client.get(device.get_absolute_url())
    assert response.status_code == 200
    return response


def test_unknown_device_is_404(client, db):
    assert client.get("/devices/no-such-phone/").status_code == 404


def test_header_shows_name_brand_category_price_and_key_specs(client, phone):
    response = page(client, phone)
    assert "<h1>Nothing Phone (2)</h1>" in response.text
    assert f'<a href="/brands/{phone.brand.slug}/">{phone.brand.name}</a>' in response.text
    assert f'href="/devices/?category={phone.category.slug}"' in response.text
    assert "<dd>$599</dd>" in response.text
    assert "A phone with lights on its back." in response.text
    assert 'aria-label="Add Nothing Phone (2) to your compare list"' in response.text
    assert '<div class="placeholder" aria-hidden="true">NP</div>' in response.text


def test_spec_sheet_is_a_table_with_one_tbody_per_group(client, phone):
    html = page(client, phone).text
    table = re.search(r'<table class="spec-sheet">.*?</table>', html, re.S).group(0)
    assert table.count("<tbody>") == 3
    groups = re.findall(r'<th scope="rowgroup" colspan="2">([^<]+)</th>', table)
    assert groups == ["Display", "Battery", "Network"]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td></tr>', table)
    assert rows == [
        ("Display size", "6.7 in"),
        ("Battery capacity", "4700 mAh"),
        ("5G", "Yes"),
        ("NFC", "No"),
    ]


def test_spec_rows_parse_as_html(client, phone):
    response = page(client, phone)
    row = parse_html('<tr><th scope="row">5G</th><td>Yes</td></tr>')
    assert parse_html(response.text).count(row) == 1


def test_device_without_specs_says_so(client, db):
    response = page(client, DeviceFactory())
    assert "No specifications have been added for this device yet." in response.text
    assert "<table" not in response.text


def test_powered_by_links_the_chipset(client, phone):
    response = page(client, phone)
    chip_url = phone.powered_by.get_absolute_url()
    assert f'<dt>Powered by</dt><dd><a href="{chip_url}">Snapdragon 8+ Gen 1</a></dd>' in (
        response.text
    )


def test_chipset_lists_the_devices_it_powers(client, phone):
    response = page(client, phone.powered_by)
    assert "Devices powered by this chip" in response.text
    assert '<a href="/devices/nothing-phone-2/">Nothing Phone (2)</a>' in response.text


def test_device_without_chip_has_no_powered_by(client, db):
    response = page(client, DeviceFactory())
    assert "Powered by" not in response.text
    assert "Devices powered by this chip" not in response.text


def test_related_news_shows_the_five_newest_published_articles(client, phone):
    now = timezone.now()
    for days in range(1, 8):
        ArticleFactory(
            title=f"Story {days} days old",
            devices=[phone],
            published_at=now - timezone.timedelta(days=days),
        )
    ArticleFactory(title="Draft story", devices=[phone], status=Article.Status.DRAFT)
    ArticleFactory(
        title="Scheduled story", devices=[phone], published_at=now + timezone.timedelta(days=1)
    )
    ArticleFactory(title="Unrelated story")
    titles = [a.title for a in page(client, phone).context["related_news"]]
    assert titles == [f"Story {days} days old" for days in range(1, 6)]
    html = page(client, phone).text
    assert "Draft story" not in html and "Scheduled story" not in html
    assert 'href="/news/story-1-days-old/"' in html


def test_seo_canonical_opengraph_and_product_json_ld(client, phone):
    html = page(client, phone).text
    assert '<link rel="canonical" href="http://testserver/devices/nothing-phone-2/">' in html
    assert '<meta property="og:title" content="Nothing Phone (2)">' in html
    payload = re.search(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html)
    data = json.loads(payload.group(1))
    assert data["@type"] == "Product"
    assert data["name"] == "Nothing Phone (2)"
    assert data["brand"] == {"@type": "Brand", "name": phone.brand.name}
    assert data["url"] == "http://testserver/devices/nothing-phone-2/"
    assert {p["name"] for p in data["additionalProperty"]} == {"Battery capacity", "Display size"}


def test_json_ld_cannot_be_closed_by_a_device_name(client, db):
    device = DeviceFactory(name="</script><script>alert(1)</script>", slug="evil")
    html = page(client, device).text
    assert "<script>alert(1)" not in html


def test_device_page_query_budget(client, big_catalog, give_list, django_assert_max_num_queries):
    give_list(client, big_catalog["devices"][40:44])
    device = big_catalog["devices"][4]
    device.powered_by = big_catalog["devices"][5]
    device.save(update_fields=["powered_by"])
    for other in big_catalog["devices"][6:30]:
        other.powered_by = device
        other.save(update_fields=["powered_by"])
    ArticleFactory.create_batch(8, devices=[device])
    with django_assert_max_num_queries(8):
        response = client.get(device.get_absolute_url())
    assert response.text.count('<th scope="row">') == 36
    assert response.text.count('href="/news/') >= 5
