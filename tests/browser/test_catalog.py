import datetime
import re

import pytest
from playwright.sync_api import expect

from catalog.models import SpecField
from tests.browser.axe import assert_accessible
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog():
    phones, chipsets = CategoryFactory(name="Phones"), CategoryFactory(name="Chipsets")
    nothing, qualcomm = BrandFactory(name="Nothing"), BrandFactory(name="Qualcomm")
    number = {"kind": SpecField.Kind.NUMBER, "filterable": True, "key": True}
    ram = SpecFieldFactory(name="RAM", unit="GB", direction="higher", categories=[phones], **number)
    node = SpecFieldFactory(
        name="Process node", unit="nm", direction="lower", categories=[chipsets], **number
    )
    chip = DeviceFactory(
        name="Snapdragon 8+ Gen 1",
        slug="qualcomm-snapdragon-8-plus-gen-1",
        brand=qualcomm,
        category=chipsets,
    )
    SpecValueFactory(device=chip, field=node, value="4 nm")
    phone = DeviceFactory(
        name="Nothing Phone (2)",
        slug="nothing-phone-2",
        brand=nothing,
        category=phones,
        released=datetime.date(2023, 7, 17),
        powered_by=chip,
    )
    SpecValueFactory(device=phone, field=ram, value="8 GB / 12 GB")
    for i, gb in enumerate([4, 6, 16]):
        other = DeviceFactory(name=f"Budget Phone {i}", category=phones)
        SpecValueFactory(device=other, field=ram, value=f"{gb} GB")
    return phone


def test_device_page_and_filtering_the_catalog_with_htmx(page, live_server, catalog):
    page.goto(f"{live_server.url}/devices/nothing-phone-2/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing Phone (2)")
    expect(page.get_by_role("rowheader", name="RAM")).to_be_visible()
    page.get_by_role("link", name="Snapdragon 8+ Gen 1").first.click()
    expect(page).to_have_url(re.compile(r"/devices/qualcomm-snapdragon-8-plus-gen-1/$"))
    expect(page.get_by_role("heading", name="Devices powered by this chip")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/devices/?category=phones")
    expect(page.locator("#results-count")).to_have_text("4 devices")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Min RAM").fill("8")
    page.get_by_label("Min RAM").press("Enter")
    expect(page.locator("#results-count")).to_have_text("2 devices")
    expect(page).to_have_url(re.compile(r"\?category=phones&min_ram=8$"))
    page.get_by_label("Sort by").select_option(label="RAM: highest first")
    expect(page.locator(".device-card__name").first).to_have_text("Budget Phone 2")
    assert page.evaluate("window.stillTheSamePage") is True

    # Another category redraws its spec filters without a page load.
    page.get_by_label("Category").select_option(label="Chipsets")
    expect(page.get_by_role("group", name="Process node (nm)")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chipsets")
    expect(page).to_have_title("Chipsets — Specwise")
    expect(page.get_by_role("group", name="RAM (GB)")).to_have_count(0)
    expect(page.locator(".notice")).to_contain_text("RAM is not a filter for Chipsets")
    assert page.evaluate("window.stillTheSamePage") is True
    assert_accessible(page)


def test_filter_form_works_without_javascript(no_js_page, live_server, catalog):
    page = no_js_page
    page.goto(f"{live_server.url}/devices/")
    expect(page.locator("#results-count")).to_have_text("5 devices")
    summary = page.locator("summary", has_text="Filters")
    if summary.is_visible():
        summary.click()
    page.get_by_label("Category").select_option(label="Phones")
    page.get_by_role("checkbox", name="Nothing").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"category=phones.*brand=nothing"))
    expect(page.locator("#results-count")).to_have_text("1 device")
    expect(page.get_by_role("link", name="Nothing Phone (2)")).to_be_visible()
    page.get_by_role("link", name="Clear", exact=True).click()
    expect(page.locator("#results-count")).to_have_text("5 devices")
