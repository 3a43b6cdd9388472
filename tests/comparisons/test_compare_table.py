"""The rules of the comparison table: chip values carried over, honest best marks and bars,
reasons to pick each device; and the news shown with a comparison."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from catalog.models import SpecField
from comparisons.table import build_table, devices_for_slugs
from news.models import Article
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db

NUMBER = SpecField.Kind.NUMBER


@pytest.fixture
def fields():
    return {
        "node": SpecFieldFactory(name="Process node", unit="nm", kind=NUMBER, direction="lower"),
        "cores": SpecFieldFactory(name="CPU cores", kind=NUMBER, direction="higher"),
        "gpu": SpecFieldFactory(name="GPU"),
        "battery": SpecFieldFactory(
            name="Battery capacity", unit="mAh", kind=NUMBER, direction="higher"
        ),
        "weight": SpecFieldFactory(name="Weight", unit="g", kind=NUMBER, direction="lower"),
        "size": SpecFieldFactory(name="Display size", unit="in", kind=NUMBER, direction="none"),
        "ram": SpecFieldFactory(name="RAM", unit="GB", kind=NUMBER, direction="higher"),
        "charging": SpecFieldFactory(
            name="Wired charging", unit="W", kind=NUMBER, direction="higher"
        ),
    }


KINDS = {"phones": "phone", "laptops": "laptop", "chipsets": "chip"}


@pytest.fixture
def categories():
    return {name: CategoryFactory(name=name.title(), kind=kind) for name, kind in KINDS.items()}


def device(name, category, fields, powered_by=None, **values):
    """A device with spec values given as field key=number (or text)."""
    made = DeviceFactory(name=name, category=category, powered_by=powered_by)
    for key, value in values.items():
        spec_field = fields[key]
        if spec_field.is_number:
            text = f"{value:g} {spec_field.unit}".strip()
            SpecValueFactory(device=made, field=spec_field, value=text, number=value)
        else:
            SpecValueFactory(device=made, field=spec_field, value=value)
    return made


def table_of(*devices, only_differences=False):
    return build_table(devices_for_slugs([d.slug for d in devices]), only_differences)


def row(table, name):
    return next(r for g in table.groups for r in g.rows if r.field.name == name)


def reasons(table, device):
    return [r.text for d, found in table.reasons if d.pk == device.pk for r in found]


@pytest.fixture
def demo(categories, fields):
    """A phone, its chip and a laptop with its own chip: kinds whose figures must not be
    ranked against each other."""
    snapdragon = device(
        "Snapdragon 8+ Gen 1", categories["chipsets"], fields, node=4, cores=8, gpu="Adreno 730"
    )
    elite = device("Snapdragon X Elite", categories["chipsets"], fields, node=4, cores=12)
    phone = device(
        "Nothing Phone (2)", categories["phones"], fields, snapdragon, weight=201.2, gpu="Adreno"
    )
    laptop = device("Yoga Slim 7x", categories["laptops"], fields, elite, weight=1280, cores=12)
    return {"chip": snapdragon, "elite": elite, "phone": phone, "laptop": laptop}


# Chip values carried over.


def test_a_device_shows_its_chips_values_for_fields_it_has_none_of(demo):
    table = table_of(demo["phone"], demo["chip"], demo["laptop"])
    node = row(table, "Process node")
    assert [c.text for c in node.cells] == ["4 nm", "4 nm", "4 nm"]
    assert [c.chip for c in node.cells] == [demo["chip"], None, demo["elite"]]
    # A device's own value wins over its chip's.
    assert [c.text for c in row(table, "GPU").cells] == ["Adreno", "Adreno 730", ""]
    assert [c.chip for c in row(table, "CPU cores").cells] == [demo["chip"], None, None]


def test_carried_values_are_marked_with_the_chips_name_in_the_table(client, demo):
    key = "-vs-".join(sorted([demo["phone"].slug, demo["laptop"].slug]))
    html = client.get(reverse("comparisons:compare-shared", args=[key])).text
    cell = re.search(r'<th scope="row">Process node.*?<td[^>]*>(.*?)</td>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", re.sub(r'<span class="visually-hidden">.*?</span>', "", cell))
    assert " ".join(text.split()) == "4 nm · Snapdragon 8+ Gen 1"
    assert "the value of its chip" in cell
    assert "after a figure: the device has none of its own" in html  # the legend


def test_the_list_page_carries_chip_values_within_the_query_budget(
    client, demo, give_list, django_assert_max_num_queries
):
    give_list(client, [demo["phone"], demo["laptop"], demo["chip"]])
    with django_assert_max_num_queries(8):
        response = client.get("/compare/")
    assert response.status_code == 200
    html = response.text
    assert all(device.name in html for device in (demo["phone"], demo["laptop"], demo["chip"]))
    assert html.count('<span class="chip-value">· Snapdragon 8+ Gen 1') == 2  # node, cores


# Honest marks and bars.


def test_a_phone_its_chip_and_a_laptop_get_no_false_marks(demo):
    table = table_of(demo["phone"], demo["chip"], demo["laptop"])
    # Weight: a phone against a laptop. Process node: three chips' 4 nm. CPU cores: the
    # laptop's own 12 is a laptop's, the 8 of the phone's chip and of the chip are chips'.
    for name in ("Weight", "Process node", "CPU cores"):
        assert [c.best for c in row(table, name).cells] == [False, False, False], name
        assert [c.bar for c in row(table, name).cells] == [None, None, None], name
    assert all(not found for _, found in table.reasons)


def test_a_carried_value_is_judged_against_chips(categories, fields, demo):
    dimensity = device("Dimensity 6300", categories["chipsets"], fields, node=6, cores=8)
    table = table_of(demo["phone"], dimensity)
    node = row(table, "Process node")
    assert [c.best for c in node.cells] == [True, False]
    assert [c.bar for c in node.cells] == [100, 67]
    assert reasons(table, demo["phone"]) == [
        "4 nm process node (Snapdragon 8+ Gen 1), 33 % less than Dimensity 6300"
    ]


def test_two_categories_in_one_row_are_judged_separately(categories, fields):
    phones = [
        device("Light Phone", categories["phones"], fields, weight=150),
        device("Heavy Phone", categories["phones"], fields, weight=230),
    ]
    laptops = [
        device("Light Book", categories["laptops"], fields, weight=980),
        device("Heavy Book", categories["laptops"], fields, weight=2100),
    ]
    table = table_of(*phones, *laptops)
    weight = row(table, "Weight")
    assert [c.best for c in weight.cells] == [True, False, True, False]
    assert [c.bar for c in weight.cells] == [100, 65, 100, 47]


def test_categories_of_one_kind_are_judged_together(categories, fields):
    foldables = CategoryFactory(name="Foldables", kind="phone")
    phone = device("Light Phone", categories["phones"], fields, weight=150)
    foldable = device("Heavy Fold", foldables, fields, weight=240)
    table = table_of(phone, foldable)
    assert [(c.best, c.bar) for c in row(table, "Weight").cells] == [(True, 100), (False, 62)]
    assert reasons(table, phone) == ["150 g weight, 38 % less than Heavy Fold"]


def test_each_category_of_kind_other_is_judged_alone(fields):
    cameras = CategoryFactory(name="Cameras", kind="other")
    drones = CategoryFactory(name="Drones", kind="other")
    camera = device("Camera", cameras, fields, weight=500)
    drone = device("Drone", drones, fields, weight=900)
    other_camera = device("Big Camera", cameras, fields, weight=1000)
    table = table_of(camera, drone, other_camera)
    weight = row(table, "Weight")
    assert [c.best for c in weight.cells] == [True, False, False]
    assert [c.bar for c in weight.cells] == [100, None, 50]


def test_a_carried_value_counts_as_its_chips_kind_not_its_category(categories, fields):
    processors = CategoryFactory(name="Processors", kind="chip")
    chip = device("Chip A", categories["chipsets"], fields, node=4)
    phone = device("Phone", categories["phones"], fields, chip, weight=190)
    other_chip = device("Chip B", processors, fields, node=5)
    node = row(table_of(phone, other_chip), "Process node")
    assert [(c.best, c.chip) for c in node.cells] == [(True, chip), (False, None)]


def test_a_lone_value_in_its_category_gets_no_mark_and_no_bar(categories, fields):
    phone = device("Phone", categories["phones"], fields, ram=12, battery=5000)
    other = device("Other Phone", categories["phones"], fields, ram=8)
    laptop = device("Book", categories["laptops"], fields, ram=32)
    table = table_of(phone, other, laptop)
    assert [c.best for c in row(table, "Battery capacity").cells] == [False, False, False]
    assert [c.bar for c in row(table, "Battery capacity").cells] == [None, None, None]
    assert [c.best for c in row(table, "RAM").cells] == [True, False, False]
    assert [c.bar for c in row(table, "RAM").cells] == [100, 67, None]


def test_fields_without_a_direction_get_no_marks_and_no_bars(categories, fields):
    small = device("Small", categories["phones"], fields, size=6.1)
    large = device("Large", categories["phones"], fields, size=6.9)
    size = row(table_of(small, large), "Display size")
    assert [(c.best, c.bar) for c in size.cells] == [(False, None), (False, None)]


# Reasons to pick each device.


def test_reasons_give_the_figure_and_the_margin_over_the_runner_up(categories, fields):
    pick = device("Galaxy A", categories["phones"], fields, battery=4575, weight=180, ram=8)
    galaxy = device("Galaxy S24", categories["phones"], fields, battery=4000, weight=167, ram=8)
    table = table_of(pick, galaxy)
    assert reasons(table, pick) == ["4,575 mAh battery capacity, 14 % more than Galaxy S24"]
    # Lower is better: the lighter phone wins weight; equal RAM wins nothing.
    assert reasons(table, galaxy) == ["167 g weight, 7.2 % less than Galaxy A"]


def test_reasons_come_largest_margin_first_and_five_at_most(categories, fields):
    first = device(
        "First", categories["phones"], fields,
        battery=6000, weight=150, ram=16, cores=8, node=3, charging=100,
    )  # fmt: skip
    second = device(
        "Second", categories["phones"], fields,
        battery=5000, weight=200, ram=8, cores=6, node=4, charging=30,
    )  # fmt: skip
    found = [r for d, rs in table_of(first, second).reasons if d == first for r in rs]
    assert len(found) == 5
    margins = [r.margin for r in found]
    assert margins == sorted(margins, reverse=True)
    assert found[0].text == "100 W wired charging, 233 % more than Second"
    assert "battery capacity" not in " ".join(r.text for r in found)  # 20 %: the smallest


def test_ties_win_nothing_and_the_runner_ups_are_named(categories, fields):
    a = device("Alpha", categories["phones"], fields, ram=12, battery=5000)
    b = device("Beta", categories["phones"], fields, ram=12, battery=4000)
    c = device("Gamma", categories["phones"], fields, ram=8, battery=4000)
    table = table_of(a, b, c)
    assert reasons(table, a) == ["5,000 mAh battery capacity, 25 % more than Beta and Gamma"]
    assert reasons(table, b) == []
    assert reasons(table, c) == []


def test_a_runner_up_of_zero_gives_no_percentage(categories, fields):
    a = device("Alpha", categories["phones"], fields, charging=15)
    b = device("Beta", categories["phones"], fields, charging=0)
    assert reasons(table_of(a, b), a) == ["15 W wired charging, against 0 W on Beta"]


def test_reasons_stand_above_the_table_on_shared_and_own_comparisons(
    client, categories, fields, give_list
):
    a = device("Alpha", categories["phones"], fields, battery=5000)
    b = device("Beta", categories["phones"], fields, battery=4000)
    shared = client.get(reverse("comparisons:compare-shared", args=["alpha-vs-beta"])).text
    give_list(client, [b, a])
    own = client.get("/compare/").text
    for html in (shared, own):
        block = re.search(
            r'<li class="compare-reasons__device" data-reasons="alpha">.*?</li>\s*</ul>', html, re.S
        )
        assert "5,000 mAh battery capacity, 25 % more than Beta" in block.group(0)
        assert '<li class="compare-reasons__device" data-reasons="beta">' in html
        assert html.index("data-reasons=") < html.index('<table class="compare-table"')


def test_reasons_count_rows_hidden_by_only_differences(categories, fields):
    a = device("Alpha", categories["phones"], fields, battery=5000, gpu="Same")
    b = device("Beta", categories["phones"], fields, battery=4000, gpu="Same")
    table = table_of(a, b, only_differences=True)
    assert reasons(table, a) == ["5,000 mAh battery capacity, 25 % more than Beta"]


# News about the compared devices.


def test_comparisons_show_news_about_the_compared_devices(client, categories, fields, give_list):
    a = device("Alpha", categories["phones"], fields, battery=5000)
    b = device("Beta", categories["phones"], fields, battery=4000)
    other = device("Other", categories["phones"], fields)
    ArticleFactory(title="Alpha reviewed", devices=[a])
    ArticleFactory(title="Alpha and Beta tested", devices=[a, b])
    ArticleFactory(title="Other news", devices=[other])
    ArticleFactory(title="Beta draft", devices=[b], status=Article.Status.DRAFT)
    shared = client.get(reverse("comparisons:compare-shared", args=["alpha-vs-beta"])).text
    give_list(client, [a, b])
    own = client.get("/compare/").text
    for html in (shared, own):
        news = re.search(r'<section class="section compare-news".*?</section>', html, re.S).group(0)
        titles = re.findall(r'<a href="/news/[^"]+">([^<]+)</a>', news)
        assert sorted(titles) == ["Alpha and Beta tested", "Alpha reviewed"]


def test_newest_about_lists_each_story_once_newest_first(categories, fields):
    a = device("Alpha", categories["phones"], fields)
    b = device("Beta", categories["phones"], fields)
    newer = ArticleFactory(title="Newer", devices=[b])
    older = ArticleFactory(
        title="Older", devices=[a, b], published_at=newer.published_at - timedelta(days=1)
    )
    assert Article.objects.newest_about([a, b], 5) == [newer, older]
