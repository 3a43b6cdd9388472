"""/compare/ and /compare/<a>-vs-<b>/: the table, sharing, canonical URLs, query budgets."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import SpecField
from comparisons.compare import canonical_key
from comparisons.models import CompareItem
from comparisons.table import build_table, devices_for_slugs
from tests.comparisons.compare_fixtures import compare_catalog  # noqa: F401
from tests.factories import CategoryFactory, DeviceFactory, SpecFieldFactory, SpecValueFactory

pytestmark = pytest.mark.django_db

ADD = reverse("comparisons:compare-add")
LIST = reverse("comparisons:compare")
HTMX = {"HTTP_HX_REQUEST": "true"}


def shared_url(*devices):
    return reverse("comparisons:compare-shared", args=["-vs-".join(d.slug for d in devices)])


@pytest.fixture
def mixed():
    """A phone, its chipset and a laptop, with fields shared in part."""
    phones, chipsets, laptops = (CategoryFactory(name=n) for n in ("Phones", "Chipsets", "Laptops"))
    ram = SpecFieldFactory(name="RAM", unit="GB", kind="number", direction="higher")
    weight = SpecFieldFactory(name="Weight", unit="g", kind="number", direction="lower")
    node = SpecFieldFactory(name="Process node", unit="nm", kind="number", direction="lower")
    os_field = SpecFieldFactory(name="OS")
    chip = DeviceFactory(name="Snapdragon 8+ Gen 1", slug="snapdragon", category=chipsets)
    phone = DeviceFactory(name="Nothing Phone (2)", slug="nothing-phone-2", category=phones)
    laptop = DeviceFactory(name="Yoga Slim 7x", slug="yoga", category=laptops)
    for device, values in {
        phone: {ram: ("12 GB", 12), weight: ("201.2 g", 201.2), os_field: ("Android", None)},
        laptop: {ram: ("32 GB", 32), weight: ("1.28 kg", 1280), os_field: ("Windows 11", None)},
        chip: {node: ("4 nm", 4)},
    }.items():
        for field, (text, number) in values.items():
            SpecValueFactory(device=device, field=field, value=text, number=number)
    return {"phone": phone, "chip": chip, "laptop": laptop, "ram": ram, "weight": weight}


def cells(html, field_name):
    """The <td>s of the row whose header starts with ``field_name``."""
    row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">{re.escape(field_name)}.*?</tr>", html, re.S)
    assert row, f"no row {field_name}"
    return re.findall(r"<td([^>]*)>(.*?)</td>", row.group(0), re.S)


def texts(found):
    """The visible value of each cell, without markers, bars or hidden text."""
    return [
        re.sub(r"<span class=\"visually-hidden\">.*?</span>|<[^>]+>|\bbest\b", "", html).strip()
        for _, html in found
    ]


def test_empty_list_page_says_how_to_start(client):
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Your compare list is empty" in response.text


def test_list_page_shows_a_column_per_device_in_list_order(client, mixed):
    for key in ("laptop", "phone", "chip"):
        client.post(ADD, {"device": mixed[key].slug})
    response = client.get(LIST)
    headers = re.findall(
        r'<th scope="col" class="compare-table__device">.*?<a href="[^"]+">([^<]+)</a>',
        response.text,
        re.S,
    )
    assert headers == ["Yoga Slim 7x", "Nothing Phone (2)", "Snapdragon 8+ Gen 1"]
    assert (
        'aria-label="Remove Yoga Slim 7x from your compare list">Remove</button>' in response.text
    )


def test_rows_align_across_categories_with_dashes_for_missing(client, mixed):
    # Canonical order: nothing-phone-2, snapdragon, yoga.
    html = client.get(shared_url(mixed["phone"], mixed["chip"], mixed["laptop"])).text
    assert texts(cells(html, "RAM")) == ["12 GB", "—", "32 GB"]
    assert texts(cells(html, "Process node")) == ["—", "4 nm", "—"]
    assert texts(cells(html, "OS")) == ["Android", "—", "Windows 11"]
    assert 'class="is-missing">—<span class="visually-hidden"> no value</span>' in html


def second_phone(mixed, ram=8, weight=187):
    """Another phone, in the Nothing Phone's category, with RAM and weight."""
    pixel = DeviceFactory(name="Pixel 8", slug="pixel-8", category=mixed["phone"].category)
    SpecValueFactory(device=pixel, field=mixed["ram"], value=f"{ram} GB", number=ram)
    SpecValueFactory(device=pixel, field=mixed["weight"], value=f"{weight} g", number=weight)
    return pixel


def test_best_cell_is_marked_higher_and_lower_is_better(mixed):
    second_phone(mixed, ram=8, weight=187)
    table = build_table(devices_for_slugs(["nothing-phone-2", "pixel-8"]))
    rows = {row.field.name: row for group in table.groups for row in group.rows}
    assert [c.best for c in rows["RAM"].cells] == [True, False]
    assert [c.best for c in rows["Weight"].cells] == [False, True]
    assert [c.best for c in rows["OS"].cells] == [False, False]
    # Bars: the best is full, the rest in proportion (lower is better: best / value).
    assert [c.bar for c in rows["RAM"].cells] == [100, 67]
    assert [c.bar for c in rows["Weight"].cells] == [93, 100]


def test_best_cells_carry_data_best_and_a_visible_marker(client, mixed):
    pixel = second_phone(mixed, ram=8, weight=187)
    html = client.get(shared_url(mixed["phone"], pixel)).text
    ram = cells(html, "RAM")
    assert ["data-best" in attrs for attrs, _ in ram] == [True, False]
    assert '<strong class="best-marker">best</strong>' in ram[0][1]
    weight = cells(html, "Weight")
    assert ["data-best" in attrs for attrs, _ in weight] == [False, True]
    assert '<rect class="spec-bar__fill" width="93"' in weight[0][1]
    assert "style=" not in html


def test_a_phone_and_a_laptop_are_not_judged_against_each_other(client, mixed):
    html = client.get(shared_url(mixed["phone"], mixed["laptop"])).text
    for name in ("RAM", "Weight"):
        assert ["data-best" in attrs for attrs, _ in cells(html, name)] == [False, False]
        assert "spec-bar" not in "".join(cell for _, cell in cells(html, name))


def test_ties_share_best_and_equal_values_mark_none(mixed):
    field = SpecFieldFactory(name="Cores", kind="number", direction="higher")
    phones = mixed["phone"].category
    other = DeviceFactory(name="Third", category=phones)
    pixel = DeviceFactory(name="Pixel 8", slug="pixel-8", category=phones)
    for device, number in ((mixed["phone"], 8), (pixel, 8), (other, 4)):
        SpecValueFactory(device=device, field=field, value=str(number), number=number)
    table = build_table(devices_for_slugs(["nothing-phone-2", "pixel-8", other.slug]))
    row = next(r for g in table.groups for r in g.rows if r.field == field)
    assert [c.best for c in row.cells] == [True, True, False]
    table = build_table(devices_for_slugs(["nothing-phone-2", "pixel-8"]))
    row = next(r for g in table.groups for r in g.rows if r.field == field)
    assert [c.best for c in row.cells] == [False, False]
    assert [c.bar for c in row.cells] == [None, None]


def test_rows_are_grouped_in_tbodies_with_header_rows(client, compare_catalog):  # noqa: F811
    devices = compare_catalog["devices"]
    html = client.get(shared_url(*sorted(devices, key=lambda d: d.slug))).text
    assert html.count("<tbody>") == len(compare_catalog["groups"])
    assert html.count('<tr class="table-group"><th scope="colgroup" colspan="5">') == 5
    assert html.count('<th scope="row">') == len(compare_catalog["fields"])


def test_only_differences_hides_identical_rows(client, mixed):
    same = SpecFieldFactory(name="Same thing")
    for device in (mixed["phone"], mixed["laptop"]):
        SpecValueFactory(device=device, field=same, value="Yes")
    url = shared_url(mixed["phone"], mixed["laptop"])
    assert '<th scope="row">Same thing' in client.get(url).text
    response = client.get(url, {"only": "differences"})
    assert '<th scope="row">Same thing' not in response.text
    assert '<th scope="row">RAM' in response.text
    assert "Hiding 1 row that is the same on every device." in response.text
    assert f'href="{url}"' in response.text  # the way back to every row


def test_only_differences_with_htmx_returns_just_the_table(client, mixed):
    for device in (mixed["phone"], mixed["laptop"]):
        client.post(ADD, {"device": device.slug})
    for url in (LIST, shared_url(mixed["phone"], mixed["laptop"])):
        response = client.get(url, {"only": "differences"}, **HTMX)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div id="compare-table"')
        assert "<html" not in response.text
        assert 'hx-push-url="true"' in response.text
        assert response["Vary"].count("HX-Request") == 1


def test_history_restore_gets_the_full_page(client, mixed):
    url = shared_url(mixed["phone"], mixed["laptop"])
    response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.text


def test_boosted_requests_get_the_full_page_and_vary_on_it(client, mixed):
    client.post(ADD, {"device": mixed["phone"].slug})
    client.post(ADD, {"device": mixed["laptop"].slug})
    shared = shared_url(mixed["phone"], mixed["laptop"])
    for url in (LIST, shared, reverse("comparisons:compare-find")):
        response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
        assert "<html" in response.text, url
        assert {"HX-Boosted", "HX-History-Restore-Request"} <= set(response["Vary"].split(", "))


def test_shared_page_does_not_depend_on_the_visitor(client, mixed):
    url = shared_url(mixed["phone"], mixed["laptop"])
    anonymous = Client().get(url).text
    client.post(ADD, {"device": mixed["chip"].slug})
    visitor = client.get(url).text

    def table(html):
        return re.search(r'<div id="compare-table".*?</table>', html, re.S).group(0)

    assert table(anonymous) == table(visitor)
    assert "Compare these in my list" in anonymous


@pytest.mark.parametrize(
    ("key", "canonical"),
    [
        ("yoga-vs-nothing-phone-2", "nothing-phone-2-vs-yoga"),
        ("nothing-phone-2-vs-yoga-vs-nothing-phone-2", "nothing-phone-2-vs-yoga"),
        ("yoga-vs-yoga-vs-snapdragon", "snapdragon-vs-yoga"),
    ],
)
def test_non_canonical_keys_redirect_permanently(client, mixed, key, canonical):
    response = client.get(reverse("comparisons:compare-shared", args=[key]) + "?only=differences")
    assert response.status_code == 301
    assert response["Location"] == f"/compare/{canonical}/?only=differences"
    assert canonical_key(key.split("-vs-")) == canonical


@pytest.mark.parametrize(
    "key",
    [
        "nothing-phone-2",
        "yoga-vs-yoga",
        "nothing-phone-2-vs-unknown",
        "nothing-phone-2-vs-",
        "-vs-yoga",
        "a-vs-b-vs-c-vs-d-vs-e",
        "-vs-".join(["x"] * 200),
    ],
)
def test_bad_keys_are_404(client, mixed, key):
    assert client.get(f"/compare/{key}/").status_code == 404


def test_compare_these_in_my_list_replaces_the_list(client, mixed):
    client.post(ADD, {"device": mixed["chip"].slug})
    response = client.post(shared_url(mixed["phone"], mixed["laptop"]))
    assert response.status_code == 303
    assert response["Location"] == LIST
    page = client.get(LIST)
    assert [d.slug for d in page.context["compare"].devices] == ["nothing-phone-2", "yoga"]


def test_compare_these_needs_csrf(mixed):
    client = Client(enforce_csrf_checks=True)
    assert client.post(shared_url(mixed["phone"], mixed["laptop"])).status_code == 403


def test_list_page_offers_a_share_link(client, mixed):
    client.post(ADD, {"device": mixed["laptop"].slug})
    assert "Share this comparison" not in client.get(LIST).text
    client.post(ADD, {"device": mixed["phone"].slug})
    html = client.get(LIST).text
    assert (
        '<input id="compare-share-url" type="text" readonly '
        'value="http://testserver/compare/nothing-phone-2-vs-yoga/">' in html
    )
    assert 'data-copy-target="compare-share-url"' in html


def test_shared_table_shows_edits_at_the_next_request(client, mixed, committed):
    url = shared_url(mixed["phone"], mixed["laptop"])
    assert "12 GB" in client.get(url).text
    value = mixed["phone"].specs.get(field=mixed["ram"])
    value.value = "16 GB"
    value.number = 16
    with committed():
        value.save()
    assert "16 GB" in client.get(url).text


def test_shared_table_is_served_from_cache(
    client, mixed, django_assert_max_num_queries, version_queries
):
    url = shared_url(mixed["phone"], mixed["laptop"])
    client.get(url)
    with django_assert_max_num_queries(version_queries):
        response = client.get(url)
    assert response.status_code == 200
    assert "<h1>Nothing Phone (2) vs Yoga Slim 7x</h1>" in response.text
    assert texts(cells(response.text, "RAM")) == ["12 GB", "32 GB"]


def test_deleted_device_makes_a_shared_comparison_404(client, mixed, committed):
    url = shared_url(mixed["phone"], mixed["laptop"])
    client.get(url)
    with committed():
        mixed["laptop"].delete()
    assert client.get(url).status_code == 404


def test_pages_stay_in_the_query_budget(client, compare_catalog, django_assert_max_num_queries):  # noqa: F811
    devices = compare_catalog["devices"]
    for device in devices:
        client.post(ADD, {"device": device.slug})
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.status_code == 200
    assert all(device.name in response.text for device in devices)
    assert response.text.count('<th scope="row">') >= 40
    url = shared_url(*sorted(devices, key=lambda d: d.slug))
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert " vs ".join(d.name for d in sorted(devices, key=lambda d: d.slug)) in response.text
    assert response.text.count('<th scope="row">') >= 40
    with django_assert_max_num_queries(8):
        response = client.get(url, {"only": "differences"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.count('<tr data-differs><th scope="row">') >= 30


def test_compare_page_works_with_one_device(client, mixed):
    client.post(ADD, {"device": mixed["phone"].slug})
    html = client.get(LIST).text
    assert "Add one more device to compare them side by side." in html
    assert '<th scope="row">RAM' in html


def test_unknown_field_kinds_do_not_break_the_table(mixed):
    text_number = SpecFieldFactory(name="Odd", kind=SpecField.Kind.NUMBER, direction="higher")
    SpecValueFactory(device=mixed["phone"], field=text_number, value="n/a", number=None)
    SpecValueFactory(device=mixed["laptop"], field=text_number, value="0", number=0)
    table = build_table(devices_for_slugs(["nothing-phone-2", "yoga"]))
    row = next(r for g in table.groups for r in g.rows if r.field == text_number)
    assert [c.bar for c in row.cells] == [None, None]
    assert not CompareItem.objects.exists()


def test_shared_page_names_its_canonical_url_without_the_query(client, mixed):
    response = client.get(shared_url(mixed["phone"], mixed["laptop"]), {"only": "differences"})
    assert (
        '<link rel="canonical" href="http://testserver/compare/nothing-phone-2-vs-yoga/">'
        in response.text
    )


def test_htmx_table_request_on_an_empty_list_gets_the_page(client):
    response = client.get(LIST, {"only": "differences"}, **HTMX)
    assert response.status_code == 200
    assert "Your compare list is empty" in response.text


def test_a_weight_row_shows_both_figures_in_grams_with_the_best_on_the_lighter(client, mixed):
    laptop_weight = mixed["laptop"].specs.get(field=mixed["weight"])
    laptop_weight.value, laptop_weight.number = "1.37kg", 1370
    laptop_weight.save()
    other = DeviceFactory(name="Heavy Book", slug="heavy-book", category=mixed["laptop"].category)
    SpecValueFactory(device=other, field=mixed["weight"], value="1.9 kg", number=1900)
    html = client.get(shared_url(other, mixed["phone"], mixed["laptop"])).text
    # Canonical order: heavy-book, nothing-phone-2, yoga.
    weight = cells(html, "Weight")
    assert texts(weight) == ["1,900 g", "201.2 g", "1,370 g"]
    # The phone is lightest, but it is no laptop: the best laptop is the lighter laptop.
    assert ["data-best" in attrs for attrs, _ in weight] == [False, False, True]
    assert '<strong class="best-marker">best</strong>' in weight[2][1]
    table = re.search(r'<table class="compare-table".*?</table>', html, re.S).group(0)
    assert "1.37kg" not in table  # the source text stays on the device page


def test_cells_show_yes_no_and_text_fields_as_such(mixed):
    five_g = SpecFieldFactory(name="5G", kind=SpecField.Kind.BOOLEAN)
    odd = SpecFieldFactory(name="Odd", unit="g", kind=SpecField.Kind.NUMBER)
    for device, word in ((mixed["phone"], "yes"), (mixed["laptop"], "0")):
        SpecValueFactory(device=device, field=five_g, value=word)
    # A number field whose value has no number shows its text.
    SpecValueFactory(device=mixed["phone"], field=odd, value="not announced", number=None)
    table = build_table(devices_for_slugs(["nothing-phone-2", "yoga"]))
    rows = {row.field.name: row for group in table.groups for row in group.rows}
    assert [c.text for c in rows["5G"].cells] == ["Yes", "No"]
    assert [c.text for c in rows["Odd"].cells] == ["not announced", ""]
    assert [c.text for c in rows["OS"].cells] == ["Android", "Windows 11"]


def test_one_figure_written_two_ways_is_no_difference(client, mixed):
    phone_weight = mixed["phone"].specs.get(field=mixed["weight"])
    phone_weight.value, phone_weight.number = "1.28 kg", 1280
    phone_weight.save()
    laptop_weight = mixed["laptop"].specs.get(field=mixed["weight"])
    laptop_weight.value = "1280 g"
    laptop_weight.save()
    table = build_table(devices_for_slugs(["nothing-phone-2", "yoga"]), only_differences=True)
    names = [row.field.name for group in table.groups for row in group.rows]
    assert "Weight" not in names and "RAM" in names


def test_only_differences_says_when_every_row_differs(client, mixed):
    url = shared_url(mixed["phone"], mixed["laptop"])
    response = client.get(url, {"only": "differences"})
    assert "Every row differs: nothing to hide." in response.text
    assert "Showing only the rows that differ" not in response.text


def test_only_differences_counts_the_rows_it_hides(client, mixed):
    for name in ("Same A", "Same B"):
        same = SpecFieldFactory(name=name)
        for device in (mixed["phone"], mixed["laptop"]):
            SpecValueFactory(device=device, field=same, value="Yes")
    response = client.get(shared_url(mixed["phone"], mixed["laptop"]), {"only": "differences"})
    assert "Hiding 2 rows that are the same on every device." in response.text


def test_share_link_keeps_only_differences(client, mixed):
    for device in (mixed["phone"], mixed["laptop"]):
        client.post(ADD, {"device": device.slug})
    shared = "http://testserver" + shared_url(mixed["phone"], mixed["laptop"])
    assert f'value="{shared}"' in client.get(LIST).text
    only = client.get(LIST, {"only": "differences"}).text
    assert f'value="{shared}?only=differences"' in only
    # The htmx switch redraws the table and, out of band, the share link with it.
    swapped = client.get(LIST, {"only": "differences"}, **HTMX).text
    assert 'id="compare-share" class="compare-share panel" hx-swap-oob="true"' in swapped
    assert f'value="{shared}?only=differences"' in swapped
    back = client.get(LIST, **HTMX).text
    assert f'value="{shared}"' in back
