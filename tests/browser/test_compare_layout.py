"""Comparisons in a real browser at phone (390 px) and desktop (1280 px) widths: the table's
layout measured in the browser, focus and the nav badge after a change, feedback where the
visitor tapped, and Undo with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import SpecField, SpecValue
from comparisons import compare
from tests.browser.axe import assert_accessible
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
ROWS = ".compare-table tbody tr:not(.table-group)"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def lineup():
    """Five phones (the first powered by a chip), the chip and a laptop, 24 number fields:
    a table taller than any screen."""
    phones, chips, laptops = (CategoryFactory(name=n) for n in ("Phones", "Chipsets", "Laptops"))
    groups = [SpecGroupFactory(name=f"Group {i}", order=i) for i in range(4)]
    fields = [
        SpecFieldFactory(
            name=f"Figure {i:02d}",
            unit="GB",
            kind=SpecField.Kind.NUMBER,
            direction="higher" if i % 2 else "lower",
            group=groups[i // 6],
            order=i,
        )
        for i in range(24)
    ]
    chip = DeviceFactory(name="Snapdragon 8+ Gen 1", slug="snapdragon", category=chips)
    names = ["Nothing Phone (2)", "Pixel Eight", "Galaxy Twenty", "Xperia One", "Moto Edge"]
    phone_list = [
        DeviceFactory(name=name, category=phones, powered_by=chip if i == 0 else None)
        for i, name in enumerate(names)
    ]
    laptop = DeviceFactory(name="Yoga Slim 7x", slug="yoga", category=laptops)
    values = [
        SpecValue(device=device, field=field, value=f"{10 + d * 3 + f} GB", number=10 + d * 3 + f)
        for d, device in enumerate([*phone_list, laptop])
        for f, field in enumerate(fields)
        if not (device == phone_list[0] and f < 4)  # the phone takes these from its chip
    ]
    values += [
        SpecValue(device=chip, field=field, value=f"{f + 1} GB", number=f + 1)
        for f, field in enumerate(fields[:4])
    ]
    SpecValue.objects.bulk_create(values)
    return {"phones": phone_list, "chip": chip, "laptop": laptop}


def open_with_list(browser, live_server, devices, viewport, path="/compare/"):
    """A new browser page whose visitor's list holds ``devices``, opened at ``path``."""
    token = compare.new_token()
    for device in devices:
        compare.add(token, device)
    context = browser.new_context(viewport=viewport)
    cookie = {"name": "specwise_compare", "value": compare.sign_token(token)}
    context.add_cookies([{**cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + path)
    return page


def rects(page, selector):
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })",
    )


def box_of(page):
    return page.eval_on_selector(
        ".compare-scroll",
        "b => ({scroll: b.scrollWidth, client: b.clientWidth,"
        " left: b.getBoundingClientRect().left, right: b.getBoundingClientRect().right})",
    )


def page_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# Never a scroll box of its own inside the page: overflow that scrolls up and down.
INNER_SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(e => {
  const style = getComputedStyle(e);
  return ['auto', 'scroll'].includes(style.overflowY) && e.scrollHeight > e.clientHeight + 1;
}).map(e => e.tagName + '.' + e.className)"""


def test_two_devices_sit_side_by_side_on_a_phone(browser, live_server, lineup):
    page = open_with_list(browser, live_server, lineup["phones"][1:3], PHONE)
    try:
        corner, first, second = rects(page, ".compare-table thead th")
        assert corner["right"] <= first["left"] + 1
        assert first["right"] <= second["left"] + 1
        assert second["right"] <= PHONE["width"] - 8  # both whole on screen, with a margin
        assert first["right"] - first["left"] >= 110  # room for a value, not a sliver
        box = box_of(page)
        assert box["scroll"] <= box["client"] + 1
        assert page_overflow(page) <= 0
        assert page.evaluate(INNER_SCROLLERS) == []
        assert_accessible(page)
    finally:
        page.context.close()


def test_four_devices_on_a_phone_scroll_sideways_in_their_box_only(browser, live_server, lineup):
    page = open_with_list(browser, live_server, lineup["phones"][:4], PHONE)
    try:
        box = box_of(page)
        assert box["scroll"] > box["client"]
        assert page_overflow(page) <= 0
        heads = rects(page, ".compare-table thead th")
        whole = [h for h in heads[1:] if h["right"] <= box["right"] + 0.5]
        assert len(whole) >= 2
        label = rects(page, ".compare-table tbody th[scope=row]")[0]
        page.eval_on_selector(".compare-scroll", "b => { b.scrollLeft = 150; }")
        page.wait_for_function("document.querySelector('.compare-scroll').scrollLeft === 150")
        moved = rects(page, ".compare-table thead th")
        # Only the device columns move; the spec names stay put.
        assert rects(page, ".compare-table tbody th[scope=row]")[0]["left"] == label["left"]
        assert moved[1]["left"] == pytest.approx(heads[1]["left"] - 150, abs=1)

        # Half-way down the table the device names are still on screen, over their columns.
        row = page.locator(ROWS).nth(14)
        page.evaluate(
            "y => window.scrollTo(0, y)",
            row.evaluate("r => r.getBoundingClientRect().top + scrollY"),
        )
        strip = page.locator("[data-compare-names]")
        expect(strip).to_have_class(re.compile(r"\bis-stuck\b"))
        bar = rects(page, ".compare-names__bar")[0]
        assert 0 <= bar["top"] <= 1
        names = rects(page, ".compare-names__name")
        heads = rects(page, ".compare-table thead th")
        for name, head in zip(names, heads[1:], strict=True):
            assert name["left"] == pytest.approx(head["left"], abs=1.5)
        expect(page.locator(".compare-names__name").nth(1)).to_have_text("Pixel Eight")
        assert page.evaluate(INNER_SCROLLERS) == []
        # Back at the top the table's own header shows the names: no strip.
        page.evaluate("window.scrollTo(0, 0)")
        expect(strip).not_to_have_class(re.compile(r"\bis-stuck\b"))
    finally:
        page.context.close()


def test_four_devices_fit_a_wide_screen(browser, live_server, lineup):
    page = open_with_list(browser, live_server, lineup["phones"][:4], DESKTOP)
    try:
        box = box_of(page)
        assert box["scroll"] <= box["client"] + 1
        assert rects(page, ".compare-table thead th")[-1]["right"] <= box["right"] + 0.5
        assert page_overflow(page) <= 0
        assert page.evaluate(INNER_SCROLLERS) == []
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_a_phone_its_chip_and_a_laptop_read_right_and_pass_axe(
    browser, live_server, lineup, viewport
):
    devices = [lineup["phones"][0], lineup["chip"], lineup["laptop"]]
    page = open_with_list(browser, live_server, devices, viewport)
    try:
        first = page.locator(ROWS).first
        expect(first.locator("td").first).to_contain_text("Snapdragon 8+ Gen 1")
        # Three kinds of device: no figure is judged against another kind's.
        expect(page.locator(ROWS).nth(8).locator("td[data-best]")).to_have_count(0)
        expect(page.locator("#compare-bar")).to_be_hidden()  # on /compare/ itself
        assert_accessible(page)
        page.goto(
            live_server.url + "/compare/" + "-vs-".join(sorted(d.slug for d in devices)) + "/"
        )
        expect(page.locator("[data-reasons]")).to_have_count(0)
        assert_accessible(page)
    finally:
        page.context.close()


def test_enter_on_compare_keeps_focus_and_updates_the_badge_in_place(page, live_server, lineup):
    page.goto(f"{live_server.url}/devices/")
    page.evaluate("window.__noReload = true")
    badge = page.locator("#compare-count")
    expect(badge).to_be_hidden()
    name = lineup["phones"][1].name
    add = page.locator("main").get_by_role("button", name=f"Add {name} to your compare list")
    add.focus()
    add.press("Enter")
    remove = page.locator("main").get_by_role(
        "button", name=f"Remove {name} from your compare list"
    )
    expect(remove).to_be_focused()
    expect(badge).to_have_text(re.compile(r"^1\b"))
    expect(page.locator("#compare-status")).to_have_text(f"Added {name} to your compare list.")
    remove.press("Enter")
    expect(add).to_be_focused()
    expect(badge).to_be_hidden()
    assert page.evaluate("window.__noReload") is True


def test_remove_then_undo_and_clear_then_undo_with_javascript(browser, live_server, lineup):
    devices = lineup["phones"][:3]
    page = open_with_list(browser, live_server, devices, PHONE)
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else 0)
    try:
        page.evaluate("window.__noReload = true")
        heads = page.locator(".compare-table thead th[scope=col] a")
        expect(heads).to_have_text([d.name for d in devices])
        tapped = page.get_by_role(
            "button", name=f"Remove {devices[1].name} from your compare list"
        ).first
        tapped.scroll_into_view_if_needed()
        spot = tapped.bounding_box()
        tapped.click()
        expect(heads).to_have_text([devices[0].name, devices[2].name])
        feedback = page.locator("#compare-feedback")
        expect(feedback).to_contain_text(f"Removed {devices[1].name} from your compare list.")
        undo = feedback.get_by_role("button", name="Undo")
        expect(undo).to_be_focused()
        shown = feedback.locator(".compare-feedback__box").bounding_box()
        # In the flow right above the table, on screen, over neither the legend nor the table.
        legend = page.locator(".compare-legend").bounding_box()
        table_box = page.locator("[data-compare-scroll]").bounding_box()
        assert shown["y"] >= legend["y"] + legend["height"], (shown, legend)
        assert shown["y"] + shown["height"] <= table_box["y"] + 1, (shown, table_box)
        assert shown["y"] >= 0 and shown["y"] + shown["height"] <= PHONE["height"], (shown, spot)
        expect(page.locator("#compare-count")).to_have_text(re.compile(r"^2\b"))
        undo.press("Enter")
        expect(heads).to_have_text([d.name for d in devices])  # back in their places
        expect(page.locator("#compare-count")).to_have_text(re.compile(r"^3\b"))
        expect(feedback).to_contain_text("Undone")

        page.locator("#compare-widget").get_by_role("button", name="Clear").click()
        expect(page.locator(".compare-table")).to_have_count(0)
        feedback.get_by_role("button", name="Undo").click()
        expect(heads).to_have_text([d.name for d in devices])
        assert page.evaluate("window.__noReload") is True
        assert_accessible(page)
        assert not csp_errors  # placing the feedback and the names strip is CSSOM only
    finally:
        page.context.close()


def test_a_phone_page_shows_its_chips_values_and_rivals_on_a_phone(browser, live_server, lineup):
    phone = lineup["phones"][0]
    page = open_with_list(browser, live_server, [], PHONE, phone.get_absolute_url())
    try:
        row = page.get_by_role("row", name=re.compile(r"^Figure 00"))
        expect(row).to_contain_text("1 GB · Snapdragon 8+ Gen 1")
        rivals = page.locator(".rivals a")
        expect(rivals).to_have_count(4)  # the other phones, never the laptop or the chip
        for link in rivals.all():
            assert "yoga" not in link.get_attribute("href")
            assert "snapdragon" not in link.get_attribute("href")
        assert page_overflow(page) <= 0
        assert_accessible(page)
    finally:
        page.context.close()


def test_a_full_list_says_so_beside_the_tapped_button_on_a_phone(browser, live_server, lineup):
    page = open_with_list(browser, live_server, lineup["phones"][:4], PHONE, "/devices/")
    try:
        bar = page.locator("#compare-bar")
        expect(bar.get_by_role("link", name="Compare (4)")).to_be_visible()
        name = lineup["laptop"].name
        button = page.locator("main").get_by_role("button", name=f"Add {name} to your compare list")
        button.scroll_into_view_if_needed()
        spot = button.bounding_box()
        button.click()
        feedback = page.locator("#compare-feedback")
        expect(feedback).to_contain_text("Your compare list is full")
        shown = feedback.locator(".compare-feedback__box").bounding_box()
        # On screen, right below (or above) the button: not at the foot of the page.
        assert shown["y"] >= 0 and shown["y"] + shown["height"] <= PHONE["height"]
        assert (
            min(
                abs(shown["y"] - spot["y"] - spot["height"]),
                abs(spot["y"] - shown["y"] - shown["height"]),
            )
            < 20
        )
        expect(button).to_be_focused()
        # The list stays in reach from anywhere on the page.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
        box = bar.bounding_box()
        assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)
    finally:
        page.context.close()


def test_undo_without_javascript(browser, live_server, lineup, no_js_page):
    page = no_js_page
    devices = lineup["phones"][:3]
    token = compare.new_token()
    for device in devices:
        compare.add(token, device)
    cookie = {"name": "specwise_compare", "value": compare.sign_token(token)}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/devices/")
    widget = page.locator("#compare-widget")
    widget.get_by_role("button", name=f"Remove {devices[0].name} from your compare list").click()
    expect(page).to_have_url(re.compile(r"/devices/$"))
    messages = page.locator("#site-messages")
    expect(messages).to_contain_text(f"Removed {devices[0].name} from your compare list.")
    messages.get_by_role("button", name="Undo").click()
    expect(page).to_have_url(re.compile(r"/devices/$"))
    expect(messages).to_contain_text("Undone: your compare list is back to 3 devices.")
    expect(widget.locator("ol li a")).to_have_text([d.name for d in devices])

    # "Compare these in my list" replaces the list; Undo puts it back.
    key = "-vs-".join(sorted([lineup["chip"].slug, lineup["laptop"].slug]))
    page.goto(f"{live_server.url}/compare/{key}/")
    page.get_by_role("button", name="Compare these in my list").click()
    expect(page).to_have_url(re.compile(r"/compare/$"))
    expect(page.locator(".compare-table thead th[scope=col] a")).to_have_count(2)
    messages.get_by_role("button", name="Undo").click()
    expect(page.locator(".compare-table thead th[scope=col] a")).to_have_text(
        [d.name for d in devices]
    )
