import datetime
import io

import pytest
from django.core.management import call_command

from catalog import namesakes
from catalog.models import Device
from comparisons.rivals import rivals
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def xps(db):
    """Three "Dell XPS 13" differing by year and RAM, two of them identical but for the chip,
    and a lone device no label needs."""
    dell, laptops = BrandFactory(name="Dell"), CategoryFactory(name="Laptops", slug="laptops")
    ram = SpecFieldFactory(name="RAM", key=True, categories=[laptops])
    intel = BrandFactory(name="Intel")
    chips = CategoryFactory(name="Chipsets", slug="chipsets")
    i5 = DeviceFactory(name="Core i5-1035G1", brand=intel, category=chips)
    i7 = DeviceFactory(name="Core i7-1065G7", brand=intel, category=chips)

    def laptop(slug, year, memory, chip, price):
        device = DeviceFactory(
            name="Dell XPS 13",
            slug=slug,
            brand=dell,
            category=laptops,
            released=datetime.date(year, 1, 1),
            powered_by=chip,
            launch_price=price,
        )
        SpecValueFactory(device=device, field=ram, value=memory)
        return device

    devices = {
        "old": laptop("xps-13-2019", 2019, "8 GB", i5, 999),
        "i5": laptop("xps-13-2020-i5", 2020, "16 GB", i5, 1099),
        "i7": laptop("xps-13-2020-i7", 2020, "16 GB", i7, 1199),
        "lone": DeviceFactory(
            name="Dell XPS 15", brand=dell, category=laptops, released=None, launch_price=1500
        ),
    }
    # Built by factories in a test transaction: the refresh a commit would run, at once.
    namesakes.refresh()
    for device in devices.values():
        device.refresh_from_db()
    return devices


def labels(devices):
    return {key: device.distinguisher for key, device in devices.items()}


def test_namesakes_get_the_differing_parts_and_a_lone_name_none(xps):
    assert labels(xps) == {
        "old": "2019 · Core i5-1035G1",
        "i5": "2020 · Core i5-1035G1",
        "i7": "2020 · Core i7-1065G7",
        "lone": "",
    }


def test_distinguisher_takes_parts_until_every_namesake_reads_differently():
    a = namesakes.Facts(1, "2020", "i5", {7: "8 GB", 8: "256 GB"})
    b = namesakes.Facts(2, "2020", "i5", {7: "16 GB", 8: "256 GB"})
    c = namesakes.Facts(3, "2020", "i7", {7: "16 GB", 8: "512 GB"})
    group = [a, b, c]
    # Year is alike (skipped); the chip leaves a and b alike; RAM then tells them apart.
    assert [namesakes.distinguisher(f, group, [7, 8]) for f in group] == [
        "i5 · 8 GB",
        "i5 · 16 GB",
        "i7 · 16 GB",
    ]


def test_names_match_ignoring_case_and_accents(xps):
    DeviceFactory(name="dell xps 13", brand=xps["old"].brand, category=xps["old"].category)
    namesakes.refresh(["Dell XPS 13"])
    assert Device.objects.filter(distinguisher="").filter(name__iexact="dell xps 13").count() == 0


def rename_i7(xps, committed):
    """The i7 XPS 13 renamed "Dell XPS 15" in the admin's way (save, commit); every device
    read again; their labels."""
    with committed():
        renamed = Device.objects.get(pk=xps["i7"].pk)
        renamed.name = "Dell XPS 15"
        renamed.save()
    for device in xps.values():
        device.refresh_from_db()
    return labels(xps)


def test_a_rename_refreshes_the_old_and_the_new_name_when_it_commits(xps, committed):
    # The two 13s left differ by year alone, and so do the 15s (the lone one has none).
    assert rename_i7(xps, committed) == {"old": "2019", "i5": "2020", "i7": "2020", "lone": ""}


def test_a_key_value_saved_in_the_admin_refreshes_its_namesakes(
    xps, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        value = xps["i5"].specs.get()
        value.value = "32 GB"
        value.save()
        xps["i7"].powered_by = xps["i5"].powered_by
        xps["i7"].save()
    for device in xps.values():
        device.refresh_from_db()
    assert labels(xps)["i5"] == "2020 · 32 GB"
    assert labels(xps)["i7"] == "2020 · 16 GB"


def test_refresh_command_recomputes_every_group(xps):
    Device.objects.update(distinguisher="")
    out = io.StringIO()
    call_command("refresh_namesakes", stdout=out)
    assert out.getvalue().startswith("3 distinguisher")
    xps["old"].refresh_from_db()
    assert xps["old"].distinguisher == "2019 · Core i5-1035G1"


def test_rivals_list_each_namesake_once_and_never_the_device_itself(xps):
    device = Device.objects.with_specs().get(pk=xps["i5"].pk)
    found = rivals(device)
    pks = [other.pk for other in found]
    assert len(pks) == len(set(pks)) and device.pk not in pks
    assert {xps["old"].pk, xps["i7"].pk} <= set(pks)
    assert {other.distinguisher for other in found if other.name == "Dell XPS 13"} == {
        "2019 · Core i5-1035G1",
        "2020 · Core i7-1065G7",
    }


def shown_labels(html):
    import re

    return re.findall(r'<span class="distinguisher">([^<]*)</span>', html)


def test_device_page_names_itself_and_its_namesake_rivals_apart(client, xps):
    response = client.get(xps["i5"].get_absolute_url())
    html = response.content.decode()
    assert '<h1>Dell XPS 13 <span class="distinguisher">2020 · Core i5-1035G1</span></h1>' in html
    rivals_part = html[html.index('id="rivals-title"') :]
    assert "2019 · Core i5-1035G1" in rivals_part and "2020 · Core i7-1065G7" in rivals_part


@pytest.mark.parametrize(
    "url",
    ["/devices/?q=xps+13", "/devices/?category=laptops", "/brands/dell/"],
)
def test_catalog_cards_show_distinct_labels(client, xps, url):
    html = client.get(url).content.decode()
    assert sorted(set(shown_labels(html))) == [
        "2019 · Core i5-1035G1",
        "2020 · Core i5-1035G1",
        "2020 · Core i7-1065G7",
    ]


def test_cached_card_changes_when_the_distinguisher_does(client, xps):
    assert "2020 · Core i7-1065G7" in client.get("/brands/dell/").content.decode()
    Device.objects.filter(pk=xps["i7"].pk).update(distinguisher="2020 · changed")
    assert "2020 · changed" in client.get("/brands/dell/?page=1").content.decode()


def test_compare_search_and_list_and_table_show_distinct_labels(client, xps, give_list):
    found = client.get("/compare/find/", {"q": "xps 13"}).content.decode()
    assert len(set(shown_labels(found))) == 3
    give_list(client, [xps["old"], xps["i5"], xps["i7"]])
    table = client.get("/compare/").content.decode()
    header = table[table.index("<thead>") : table.index("</thead>")]
    assert len(set(shown_labels(header))) == 3
    widget = table[table.index('id="compare-widget"') :]
    widget = widget[: widget.index("</ol>")]
    assert len(set(shown_labels(widget))) == 3


def test_hostile_names_are_escaped_in_the_distinguisher(client, xps):
    chip = xps["i7"].powered_by
    chip.name = "<b>x</b>"
    chip.save()
    namesakes.refresh()
    html = client.get(xps["i5"].get_absolute_url()).content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_restoring_an_earlier_version_refreshes_the_names_it_leaves_and_takes(xps, committed):
    """A restore writes the device's row as it was (not through save()): the groups of the
    name it had and the name it gets back are refreshed when it commits."""
    import reversion
    from django.contrib.auth.models import User
    from reversion.models import Version

    from catalog.history import DeviceHistory

    before = labels(xps)
    with reversion.create_revision():
        reversion.add_to_revision(Device.objects.get(pk=xps["i7"].pk))
    version = Version.objects.get_for_object(xps["i7"]).first()
    assert rename_i7(xps, committed) == {"old": "2019", "i5": "2020", "i7": "2020", "lone": ""}
    editor = User.objects.create_user("restorer", is_staff=True)
    with committed():
        DeviceHistory(Device.objects.get(pk=xps["i7"].pk)).restore(version, editor)
    for device in xps.values():
        device.refresh_from_db()
    assert xps["i7"].name == "Dell XPS 13"
    assert labels(xps) == before
    assert before["i5"] == "2020 · Core i5-1035G1"
