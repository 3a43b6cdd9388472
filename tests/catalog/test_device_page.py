import datetime
import json
import re
from decimal import Decimal

import pytest
from django.test.html import parse_html
from django.utils import timezone
from django.utils.html import escape

from catalog.models import SpecField, SpecValue
from news.models import Article
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
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


def assert_html_contains(html, needle):
    assert parse_html(html).count(parse_html(needle)) == 1, html


def product_data(html):
    payload = re.search(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html)
    return json.loads(payload.group(1))


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
    assert "device-picture--page" in response.text
    assert 'class="placeholder"' not in response.text


def test_spec_sheet_is_a_table_with_one_tbody_per_group(client, phone):
    html = page(client, phone).text
    table = re.search(r'<table class="spec-sheet">.*?</table>', html, re.S).group(0)
    assert table.count("<tbody>") == 3
    groups = re.findall(r'<th scope="rowgroup" colspan="2">([^<]+)</th>', table)
    assert groups == ["Display", "Battery", "Network"]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td><span class="spec-value">([^<]*)</span>', table
    )
    assert rows == [
        ("Display size", "6.7 in"),
        ("Battery capacity", "4700 mAh"),
        ("5G", "Yes"),
        ("NFC", "No"),
    ]


def test_spec_rows_parse_as_html(client, phone):
    response = page(client, phone)
    spec = phone.specs.get(field__name="5G")
    row = parse_html(
        '<tr><th scope="row">5G</th><td><span class="spec-value">Yes</span>'
        '<small class="spec-provenance">Updated '
        f'<time datetime="{spec.changed_at:%Y-%m}">{spec.changed_at:%B %Y}</time></small>'
        "</td></tr>"
    )
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
    chip_values = big_catalog["devices"][5].specs.values_list("pk", flat=True)
    SpecValue.objects.filter(device=device, field__in=big_catalog["fields"][30:]).delete()
    for other in big_catalog["devices"][30:60]:
        other.powered_by = device
        other.save(update_fields=["powered_by"])
    with django_assert_max_num_queries(8):
        response = client.get(device.get_absolute_url())
    assert response.status_code == 200
    assert f"<h1>{device.name}</h1>" in response.text
    assert response.text.count('<th scope="row">') == 36
    assert response.text.count('<span class="chip-value">') == 6 and chip_values
    assert response.text.count('href="/news/') >= 5
    assert len(rivals_on(response.text)) == 5


def sheet_row(html, name):
    """The <td> of the spec sheet row ``name``."""
    found = re.search(rf'<th scope="row">{re.escape(name)}</th><td>(.*?)</td>', html, re.S)
    assert found, f"no row {name}"
    return found.group(1)


def test_the_sheet_keeps_the_source_text_and_adds_the_stored_figure_when_it_differs(client, phone):
    weight = SpecFieldFactory(name="Weight", unit="g", kind=SpecField.Kind.NUMBER)
    laptop = DeviceFactory(name="Yoga Slim 7x", slug="yoga")
    SpecValueFactory(device=laptop, field=weight, value="1.37kg", number=1370)
    capacity = SpecFieldFactory(name="Battery", unit="mAh", kind=SpecField.Kind.NUMBER)
    SpecValueFactory(device=laptop, field=capacity, value="4700 mAh", number=4700)
    html = page(client, laptop).text
    assert sheet_row(html, "Weight").startswith(
        '<span class="spec-value">1.37kg</span> <span class="spec-number">(1,370 g)</span>'
    )
    # "4700 mAh" already says 4,700 mAh: no figure beside it.
    assert "spec-number" not in sheet_row(html, "Battery")


@pytest.mark.parametrize("scheme", ["https", "HTTPS"])
def test_each_value_shows_its_source_as_a_link_to_its_host_and_when_it_changed(
    client, phone, scheme
):
    spec = phone.specs.get(field__name="Battery capacity")
    spec.source = f"{scheme}://www.example.com/nothing-phone-2/specs?lang=en"
    spec.changed_at = timezone.make_aware(datetime.datetime(2024, 3, 5, 10, 0))
    spec.save()
    cell = sheet_row(page(client, phone).text, "Battery capacity")
    assert_html_contains(
        cell,
        f'<small class="spec-provenance">Source: <a href="{scheme}://www.example.com/'
        'nothing-phone-2/specs?lang=en" rel="nofollow noopener">example.com</a> · Updated '
        '<time datetime="2024-03">March 2024</time></small>',
    )


@pytest.mark.parametrize(
    "source",
    ["Lenovo press kit, June 2024", "javascript:alert(1)", "ftp://example.com/specs", "http://[x"],
)
def test_a_source_that_is_not_a_web_address_shows_as_text(client, phone, source):
    spec = phone.specs.get(field__name="Battery capacity")
    spec.source = source
    spec.save()
    cell = sheet_row(page(client, phone).text, "Battery capacity")
    assert "<a " not in cell
    assert f"Source: {escape(source)} · Updated" in cell


@pytest.mark.parametrize(
    ("released", "precision", "iso", "text"),
    [
        (datetime.date(2008, 1, 1), "year", "2008", "2008"),
        (datetime.date(2019, 3, 1), "month", "2019-03", "March 2019"),
        (datetime.date(2019, 3, 7), "day", "2019-03-07", "7 March 2019"),
    ],
)
def test_release_date_shows_at_its_precision_on_the_page_and_in_json_ld(
    client, db, released, precision, iso, text
):
    device = DeviceFactory(released=released, released_precision=precision)
    response = page(client, device)
    assert f'<dt>Released</dt><dd><time datetime="{iso}">{text}</time></dd>' in response.text
    assert product_data(response.text)["releaseDate"] == iso


def test_device_without_release_date_has_none(client, db):
    response = page(client, DeviceFactory(released=None))
    assert "Released" not in response.text
    assert "releaseDate" not in product_data(response.text)


LONG_SUMMARY = (
    "The second Nothing phone keeps its lights.\n\nIt adds a bigger battery,\r\n"
    "a faster chip\tand   a new camera. " + "More words about the phone follow here. " * 9
)


def test_a_long_summary_with_line_breaks_becomes_one_short_line_in_meta_tags(client, db):
    device = DeviceFactory(summary=LONG_SUMMARY)
    assert len(LONG_SUMMARY) > 400
    html = page(client, device).text
    meta = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    og = re.search(r'<meta property="og:description" content="([^"]*)">', html).group(1)
    described = product_data(html)["description"]
    for text in (meta, og, described):
        assert "\n" not in text and "\t" not in text and "  " not in text
        assert 100 < len(text) <= 160
        assert text.startswith("The second Nothing phone keeps its lights. It adds a bigger")
        assert text.endswith("…")
    # The page itself keeps the summary as written.
    assert "lights.\n\nIt adds" in html


def test_a_short_summary_reaches_meta_tags_unchanged(client, phone):
    html = page(client, phone).text
    assert '<meta name="description" content="A phone with lights on its back.">' in html
    assert '<meta property="og:description" content="A phone with lights on its back.">' in html
    assert product_data(html)["description"] == "A phone with lights on its back."


def test_key_specs_in_the_header_show_the_stored_figure(client, phone):
    weight = SpecFieldFactory(name="Weight", unit="g", kind=SpecField.Kind.NUMBER, key=True)
    SpecValueFactory(device=phone, field=weight, value="0.2012 kg", number=201.2)
    html = page(client, phone).text
    header = re.search(r'<ul class="key-specs key-specs--header".*?</ul>', html, re.S).group(0)
    assert "<li><span>Weight</span> <span>201.2 g</span></li>" in header
    assert "<li><span>Display size</span> <span>6.7 in</span></li>" in header


# Chip values carried over, and rivals.


def test_a_phone_shows_its_chips_values_for_fields_it_has_none_of(client, phone):
    node = SpecFieldFactory(name="Process node", unit="nm", kind=SpecField.Kind.NUMBER)
    gpu = SpecFieldFactory(name="GPU")
    SpecValueFactory(device=phone.powered_by, field=node, value="4 nm", number=4)
    SpecValueFactory(device=phone.powered_by, field=gpu, value="Adreno 730")
    SpecValueFactory(device=phone, field=gpu, value="Adreno 730 (overclocked)")
    html = page(client, phone).text
    chip_url = phone.powered_by.get_absolute_url()
    assert_html_contains(
        sheet_row(html, "Process node").split("<small")[0],
        '<span class="spec-value">4 nm</span> <span class="chip-value">· '
        f'<a href="{chip_url}">Snapdragon 8+ Gen 1</a>'
        '<span class="visually-hidden"> (the value of its chip)</span></span>',
    )
    # Its own value wins, unmarked.
    gpu_row = sheet_row(html, "GPU")
    assert "Adreno 730 (overclocked)" in gpu_row and "chip-value" not in gpu_row
    # The chip's own page shows its values as its own.
    assert "chip-value" not in page(client, phone.powered_by).text


def rivals_on(html):
    section = re.search(r'<ul class="rivals">.*?</ul>', html, re.S)
    return re.findall(r'<a href="(/compare/[^"]+/)">', section.group(0)) if section else []


def test_rivals_are_of_the_same_category_near_in_price_and_link_canonical_comparisons(
    client, big_catalog
):
    device = big_catalog["devices"][30]  # $400, in the first category (every third device)
    links = rivals_on(page(client, device).text)
    assert 3 <= len(links) <= 5
    same_category = {d.slug: d for d in big_catalog["devices"] if d.category == device.category}
    for link in links:
        key = link.removeprefix("/compare/").removesuffix("/")
        slugs = key.split("-vs-")
        assert key == "-vs-".join(sorted(slugs))
        assert device.slug in slugs
        other = next(s for s in slugs if s != device.slug)
        assert other in same_category
        # Three nearest on each side are 30, 60 and 90 dollars away.
        assert abs(same_category[other].launch_price - device.launch_price) <= 90


def test_rivals_fall_back_to_release_dates_without_prices(client, db):
    category = CategoryFactory(name="Chipsets")
    chips = [
        DeviceFactory(
            name=f"Chip {year}",
            category=category,
            launch_price=None,
            released=datetime.date(year, 6, 1),
        )
        for year in range(2010, 2024)
    ]
    links = rivals_on(page(client, chips[7]).text)  # 2017
    others = [
        next(slug for slug in link.split("/")[2].split("-vs-") if slug != chips[7].slug)
        for link in links
    ]
    years = sorted(int(slug.removeprefix("chip-")) for slug in others)
    assert len(years) == 5
    assert years[0] >= 2014 and years[-1] <= 2020
    assert {2015, 2016, 2018, 2019} <= set(years)


def test_rivals_cost_one_query(big_catalog, django_assert_num_queries):
    from django.db.models import prefetch_related_objects

    from catalog.specs import spec_prefetch
    from comparisons.rivals import rivals

    device = big_catalog["devices"][30]
    prefetch_related_objects([device], spec_prefetch(to_attr=None))
    with django_assert_num_queries(1):
        found = rivals(device)
    assert len(found) == 5
    assert {d.category_id for d in found} == {device.category_id}


def test_a_device_alone_in_its_category_has_no_rivals_section(client, db):
    html = page(client, DeviceFactory()).text
    assert "Compare with its rivals" not in html


@pytest.fixture
def busy_chip(db):
    chip = DeviceFactory(name="Dimensity 100", slug="dimensity-100")
    for i in range(100):
        DeviceFactory(name=f"Phone {i:03d}", slug=f"phone-{i:03d}", powered_by=chip)
    return chip


def powered_on(html):
    section = re.search(r'<section[^>]*aria-labelledby="powers-title">.*?</section>', html, re.S)
    return re.findall(r'<a href="/devices/(phone-\d+)/">', section.group(0))


def test_a_chip_lists_the_devices_it_powers_a_page_at_a_time(
    client, busy_chip, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        html = page(client, busy_chip).text
    assert powered_on(html) == [f"phone-{i:03d}" for i in range(24)]
    assert '<a href="?page=2" rel="next">' in html
    last = client.get(busy_chip.get_absolute_url(), {"page": "5"}).text
    assert powered_on(last) == [f"phone-{i:03d}" for i in range(96, 100)]
    assert "There is no page" not in last


@pytest.mark.parametrize("junk", ["abc", "99"])
def test_a_junk_page_of_powered_devices_gives_a_notice_and_is_not_stored(
    client, busy_chip, junk, django_assert_num_queries, version_queries
):
    url = busy_chip.get_absolute_url()
    first = client.get(url, {"page": junk}).text
    assert '<p class="notice" role="note">' in first
    again = client.get(url, {"page": junk}).text
    assert '<p class="notice" role="note">' in again
    client.get(url, {"page": "2"})
    with django_assert_num_queries(version_queries):  # the page itself is stored
        response = client.get(url, {"page": "2"})
    assert response.status_code == 200
    assert powered_on(response.text) == [f"phone-{i:03d}" for i in range(24, 48)]


def test_each_page_of_powered_devices_is_cached_on_its_own(client, busy_chip):
    url = busy_chip.get_absolute_url()
    first, second = client.get(url).text, client.get(url, {"page": "2"}).text
    assert powered_on(first) != powered_on(second)
    assert powered_on(client.get(url, {"page": "2"}).text) == powered_on(second)
