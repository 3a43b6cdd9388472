"""The compare list in a real browser: with htmx (no page loads) and with JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import SpecField
from comparisons.compare import new_token, sign_token
from comparisons.models import CompareItem, CompareList
from tests.browser.axe import assert_accessible
from tests.factories import CategoryFactory, DeviceFactory, SpecFieldFactory, SpecValueFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog():
    phones, chipsets, laptops = (CategoryFactory(name=n) for n in ("Phones", "Chipsets", "Laptops"))
    ram = SpecFieldFactory(name="RAM", unit="GB", kind=SpecField.Kind.NUMBER, direction="higher")
    node = SpecFieldFactory(
        name="Process node", unit="nm", kind=SpecField.Kind.NUMBER, direction="lower"
    )
    devices = [
        DeviceFactory(name="Nothing Phone (2)", slug="nothing-phone-2", category=phones),
        DeviceFactory(
            name="Snapdragon 8+ Gen 1", slug="snapdragon-8-plus-gen-1", category=chipsets
        ),
        DeviceFactory(name="Yoga Slim 7x", slug="lenovo-yoga-slim-7x", category=laptops),
        DeviceFactory(name="Pixel Seven", slug="pixel-seven", category=phones),
        DeviceFactory(name="Galaxy Tab", slug="galaxy-tab", category=phones),
    ]
    for device, gb in zip(devices, (12, None, 32, 8, 6), strict=True):
        if gb:
            SpecValueFactory(device=device, field=ram, value=f"{gb} GB", number=gb)
    SpecValueFactory(device=devices[1], field=node, value="4 nm", number=4)
    return devices


def widget(page):
    return page.locator("#compare-widget")


def add_button(page, name):
    return page.locator("main").get_by_role("button", name=f"Add {name} to your compare list")


def test_htmx_add_remove_full_and_share(page, live_server, catalog, browser):
    # From a device page first, then from the catalog.
    page.goto(f"{live_server.url}{catalog[0].get_absolute_url()}")
    add_button(page, catalog[0].name).click()
    expect(widget(page).get_by_role("link", name=catalog[0].name)).to_be_visible()
    page.goto(f"{live_server.url}/devices/")
    page.evaluate("window.__noReload = true")
    for device in catalog[1:4]:
        add_button(page, device.name).click()
        expect(widget(page).get_by_role("link", name=device.name)).to_be_visible()
    expect(widget(page).get_by_role("link", name="Compare 4 devices")).to_be_visible()
    expect(page.locator("#compare-status")).to_have_text(
        f"Added {catalog[3].name} to your compare list."
    )
    expect(
        page.locator("main").get_by_role(
            "button", name=f"Remove {catalog[0].name} from your compare list"
        )
    ).to_have_text("Added ✓ · Remove")

    add_button(page, catalog[4].name).click()
    expect(page.locator("#compare-feedback")).to_contain_text("Your compare list is full")
    expect(widget(page)).to_contain_text("Your compare list is full")

    widget(page).get_by_role(
        "button", name=f"Remove {catalog[3].name} from your compare list"
    ).click()
    expect(widget(page).get_by_role("link", name=catalog[3].name)).to_have_count(0)
    expect(add_button(page, catalog[3].name)).to_be_visible()
    assert page.evaluate("window.__noReload") is True, "the page reloaded"

    page.goto(f"{live_server.url}/compare/")
    share_url = page.locator("#compare-share-url").input_value()
    assert share_url.endswith(
        "/compare/lenovo-yoga-slim-7x-vs-nothing-phone-2-vs-snapdragon-8-plus-gen-1/"
    )
    fresh = browser.new_context()
    try:
        shared = fresh.new_page()
        shared.goto(share_url)
        expect(shared.get_by_role("heading", level=1)).to_have_text(
            "Yoga Slim 7x vs Nothing Phone (2) vs Snapdragon 8+ Gen 1"
        )
        # A laptop's 32 GB is not judged against a phone's 12 GB, and the chipset's lone
        # process node has nothing to beat: no best marks at all.
        expect(shared.locator("td[data-best]")).to_have_count(0)
        expect(shared.locator("#compare-widget")).to_contain_text("Add up to 4 devices")
        shared.get_by_role("button", name="Compare these in my list").click()
        expect(shared).to_have_url(re.compile(r"/compare/$"))
        expect(shared.locator("#compare-widget li")).to_have_count(3)
    finally:
        fresh.close()


def test_widget_search_adds_without_a_page_load(page, live_server, catalog):
    page.goto(f"{live_server.url}/compare/find/")
    page.evaluate("window.__noReload = true")
    page.get_by_label("Type to add a device").fill("pix")
    results = page.locator("#compare-find-results")
    results.get_by_role("button", name="Add Pixel Seven to your compare list").click()
    expect(widget(page).locator("ol").get_by_role("link", name="Pixel Seven")).to_be_visible()
    # The results stay and their button turned into "remove".
    expect(
        results.get_by_role("button", name="Remove Pixel Seven from your compare list")
    ).to_be_visible()
    page.get_by_role("button", name="Clear").click()
    expect(widget(page).locator("ol li")).to_have_count(0)
    expect(
        results.get_by_role("button", name="Add Pixel Seven to your compare list")
    ).to_be_visible()
    assert page.evaluate("window.__noReload") is True


def test_only_differences_swaps_the_table_in_place(page, live_server, catalog):
    page.goto(f"{live_server.url}/compare/lenovo-yoga-slim-7x-vs-nothing-phone-2/")
    page.evaluate("window.__noReload = true")
    page.get_by_role("link", name="Show only differences").click()
    expect(page).to_have_url(re.compile(r"\?only=differences$"))
    expect(page.get_by_role("link", name="Show all rows")).to_be_visible()
    assert page.evaluate("window.__noReload") is True


def test_without_javascript_find_add_and_open_the_list(no_js_page, live_server, catalog):
    page = no_js_page
    page.goto(f"{live_server.url}/")
    page.get_by_label("Type to add a device").fill("yoga")
    page.get_by_label("Type to add a device").press("Enter")
    expect(page).to_have_url(re.compile(r"/compare/find/\?q=yoga$"))
    page.locator("main").get_by_role("button", name="Add Yoga Slim 7x to your compare list").click()
    expect(page).to_have_url(re.compile(r"/compare/find/\?q=yoga$"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Added Yoga Slim 7x to your compare list."
    )
    page.goto(f"{live_server.url}/")
    add_button(page, "Nothing Phone (2)").click()
    page.goto(f"{live_server.url}/compare/")
    expect(page.locator("thead th[scope=col] a")).to_have_text(
        ["Yoga Slim 7x", "Nothing Phone (2)"]
    )
    page.get_by_role("link", name="Show only differences").click()
    expect(page).to_have_url(re.compile(r"/compare/\?only=differences$"))


def test_compare_page_is_accessible(page, live_server, catalog):
    token = new_token()
    compare_list = CompareList.objects.create(token=token)
    for device in catalog[:3]:
        CompareItem.objects.create(
            compare_list=compare_list, device=device, device_name=device.name
        )
    cookie = {"name": "specwise_compare", "value": sign_token(token), "url": live_server.url}
    page.context.add_cookies([cookie])
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/compare/")
    expect(page.locator("thead th[scope=col] a")).to_have_count(3)
    assert_accessible(page)
