"""The finder and the compare list on a phone and with a keyboard: no page wider than a
390 px screen (with and without JavaScript), a skip link to the results, a plain add that
comes back to its card, and focus kept in the widget after Undo."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from catalog.models import Brand, Category, Device
from comparisons import compare
from news.models import Article, Tag
from tests.browser.axe import assert_accessible
from tests.factories import CategoryFactory, DeviceFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def phone_context(browser, live_server, devices=(), javascript=True):
    """A 390 px browser context whose visitor's list holds ``devices``."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    if devices:
        token = compare.new_token()
        for device in devices:
            compare.add(token, device)
        cookie = {"name": "specwise_compare", "value": compare.sign_token(token)}
        context.add_cookies([{**cookie, "url": live_server.url}])
    return context


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    # Four devices of different kinds: their table has empty cells.
    devices = []
    for category in Category.objects.order_by("name"):
        device = Device.objects.filter(category=category).first()
        if device:
            devices.append(device)
    assert len(devices) >= 2
    return devices[:4]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_page_is_wider_than_a_phone(browser, live_server, demo, javascript):
    article = Article.objects.published().first()
    tag = Tag.objects.first()
    device = demo[0]
    shared = reverse(
        "comparisons:compare-shared", args=[compare.canonical_key([d.slug for d in demo])]
    )
    paths = [
        "/",
        reverse("news:article-list"),
        article.get_absolute_url(),
        tag.get_absolute_url(),
        "/search/?q=phone",
        reverse("catalog:device-list"),
        reverse("catalog:device-list") + f"?category={device.category.slug}&max_price=2000",
        device.get_absolute_url(),
        Brand.objects.first().get_absolute_url(),
        reverse("comparisons:compare"),
        reverse("comparisons:compare") + "?only=differences",
        shared,
    ]
    context = phone_context(browser, live_server, demo, javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        for path in paths:
            page.goto(live_server.url + path)
            assert overflow(page) <= 0, f"{path} is {overflow(page)}px too wide"
            if path.split("?")[0] == reverse("catalog:device-list"):
                page.locator("#catalog-filters-details summary").click()  # filters open
                assert overflow(page) <= 0, f"{path} with the filters open"
        page.goto(live_server.url + reverse("comparisons:compare"))
        assert page.locator(".compare-table td.is-missing").count() > 0  # empty cells shown
    finally:
        context.close()


@pytest.fixture
def many_phones():
    phones = CategoryFactory(name="Phones")
    return [DeviceFactory(name=f"Phone {i:02d}", category=phones) for i in range(30)]


def test_sort_sits_beside_the_results_on_a_phone(browser, live_server, many_phones):
    context = phone_context(browser, live_server)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/devices/?sort=best-nothing")
        sort = page.get_by_label("Sort by")
        expect(sort).to_be_visible()  # the filter panel is closed on a phone
        assert not page.locator("#catalog-filters-details").evaluate("d => d.open")
        box = sort.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        sort.select_option("name")
        expect(page).to_have_url(re.compile(r"sort=name"))
        expect(page.locator(".device-card__name").first).to_have_text("Phone 00")
    finally:
        context.close()


def test_skip_to_results_reaches_the_first_compare_button_in_a_few_presses(
    page, live_server, many_phones
):
    page.goto(live_server.url + "/devices/?max_price=5000")
    skip = page.get_by_role("link", name="Skip to results")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Skip to results":
            break
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown on focus
    page.keyboard.press("Enter")
    for _ in range(7):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "+ Compare":
            break
    else:
        pytest.fail("no + Compare button within 7 presses after the skip link")
    assert_accessible(page)


def test_without_javascript_an_add_from_page_two_comes_back_to_its_card(
    no_js_page, live_server, many_phones
):
    page = no_js_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/devices/?sort=name&page=2")
    card = page.locator(".device-card").nth(4)
    name = card.locator(".device-card__name").inner_text()
    card.get_by_role("button", name=f"Add {name} to your compare list").click()
    slug = Device.objects.get(name=name).slug
    expect(page).to_have_url(re.compile(rf"\?.*page=2.*#device-{slug}$"))
    added = page.locator(f"#device-{slug}")
    expect(
        added.get_by_role("button", name=f"Remove {name} from your compare list")
    ).to_be_visible()
    assert page.evaluate("window.scrollY") > 0  # not back at the top
    expect(added).to_be_in_viewport()


def test_after_undo_focus_stays_in_the_widget(browser, live_server, many_phones):
    context = phone_context(browser, live_server, many_phones[:3])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/devices/")
        widget = page.locator("#compare-widget")
        remove = widget.get_by_role("button", name=f"Remove {many_phones[1].name} from your")
        remove.focus()
        page.keyboard.press("Enter")
        undo = page.locator("#compare-feedback").get_by_role("button", name="Undo")
        expect(undo).to_be_focused()
        # The message sits in the widget, in its flow: over none of its other entries.
        box = page.locator(".compare-feedback__box").bounding_box()
        for item in widget.locator(".compare-widget__item").all():
            other = item.bounding_box()
            assert (
                other["y"] >= box["y"] + box["height"] or other["y"] + other["height"] <= box["y"]
            )
        page.keyboard.press("Enter")
        expect(widget.locator(".compare-widget__item")).to_have_count(3)
        expect(page.locator("#compare-widget-title")).to_be_focused()
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.getElementById('compare-widget').contains(document.activeElement)"
        )
    finally:
        context.close()
