"""The editor's tools in a real browser, signed in as an editor: the story's live preview,
the device page previewed before saving, a new device's category fields, linking a story
that named a device, and story tables on a phone. No admin page an editor uses here logs
a console error or a script error."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from catalog.models import SpecField
from core.editors import EDITORS_GROUP
from news.models import Article
from tests.browser.axe import assert_accessible
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"


def watch(page, errors):
    """Collect ``page``'s console errors and uncaught script errors into ``errors``."""
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))


@pytest.fixture
def editor(page, live_server):
    """(page signed in as an editor, the errors its pages log)."""
    user = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    errors = []
    watch(page, errors)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#logout-form")).to_be_visible()
    return page, errors


@pytest.fixture
def phones():
    phones = CategoryFactory(name="Phones", kind="phone")
    laptops = CategoryFactory(name="Laptops", kind="laptop")
    capacity = SpecFieldFactory(
        name="Battery capacity",
        group=SpecGroupFactory(name="Battery", order=2),
        unit="mAh",
        kind=SpecField.Kind.NUMBER,
        categories=[phones],
    )
    SpecFieldFactory(name="IP rating", group=SpecGroupFactory(name="Body"), categories=[phones])
    SpecFieldFactory(name="Keyboard", group=SpecGroupFactory(name="Input"), categories=[laptops])
    return {"category": phones, "capacity": capacity}


def test_the_story_preview_follows_the_body_as_it_is_typed(editor, live_server):
    page, errors = editor
    posts = []
    page.on("request", lambda r: r.method == "POST" and "/preview/" in r.url and posts.append(r))
    page.goto(f"{live_server.url}/admin/news/article/add/")
    live = page.locator(".article-preview-live")
    body = live.locator(".article-preview")
    expect(body).to_have_text("Save the article to see the rendered body here.")

    typed = (
        "## Launch day\n\n**Bold** claim <script>alert(1)</script>\n\n"
        "![chart](https://elsewhere.example/chart.png)"
    )
    page.locator("#id_body").press_sequentially(typed)
    expect(body.locator("h2")).to_have_text("Launch day")
    expect(body.locator("strong")).to_have_text("Bold")
    expect(body).to_contain_text("<script>alert(1)</script>")
    expect(body.locator("script")).to_have_count(0)
    expect(live.locator(".article-preview-status")).to_contain_text("As typed, not saved yet.")
    expect(live.locator(".article-preview-warnings")).to_contain_text(
        "1 image(s) in the story come from another site"
    )
    # Shown broken, as readers would see it, without asking the other site for it.
    expect(body.locator("img[alt=chart]")).not_to_have_attribute("src", "")
    assert body.locator("img[alt=chart]").get_attribute("src") is None
    # Debounced: not a request per key.
    assert 1 <= len(posts) < len(typed) // 4

    page.locator("#id_body").fill("Changed *again*")
    expect(body.locator("em")).to_have_text("again")
    expect(live.locator(".article-preview-warnings")).to_have_text("")
    assert errors == []


def test_the_saved_story_shows_its_body_then_the_typed_one(editor, live_server):
    page, errors = editor
    # An image from another site is listed, not fetched: the CSP would refuse it, loudly.
    article = ArticleFactory(
        title="Saved story", body="![c](https://elsewhere.example/c.png)\n\nSaved **body**"
    )
    page.goto(f"{live_server.url}/admin/news/article/{article.pk}/change/")
    live = page.locator(".article-preview-live")
    expect(live.locator(".article-preview-status")).to_have_text("As last saved.")
    expect(live.locator(".article-preview strong")).to_have_text("body")
    expect(live.locator(".article-preview-warnings")).to_contain_text("another site")
    textarea = page.locator("#id_body")
    textarea.press("Control+End")
    textarea.press_sequentially(" and _more_")
    expect(live.locator(".article-preview em")).to_have_text("more")
    expect(live.locator(".article-preview-status")).to_contain_text("As typed, not saved yet.")
    assert errors == []


def test_the_device_page_is_previewed_with_unsaved_values(editor, live_server, phones):
    page, errors = editor
    device = DeviceFactory(name="Test Phone", slug="test-phone", category=phones["category"])
    spec = SpecValueFactory(device=device, field=phones["capacity"], value="4700 mAh")
    page.goto(f"{live_server.url}/admin/catalog/device/{device.pk}/change/")
    row = page.locator("tr.form-row", has=page.locator("td.field-group", has_text="Battery"))
    row.locator("[name$='-value']").fill("5100 mAh")
    page.get_by_label("Name:").fill("Test Phone Pro")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview the public page").click()
    preview = opened.value
    watch(preview, errors)
    preview.wait_for_load_state()
    expect(preview.locator(".preview-banner")).to_contain_text("Preview — not saved.")
    expect(preview.get_by_role("heading", level=1)).to_have_text("Test Phone Pro")
    expect(preview.locator(".spec-sheet")).to_contain_text("5100 mAh")
    expect(preview.locator(".spec-sheet")).not_to_contain_text("4700")

    spec.refresh_from_db()
    device.refresh_from_db()
    assert (device.name, spec.value) == ("Test Phone", "4700 mAh")
    # The form is still there, as typed, to save or change further.
    expect(page.get_by_label("Name:")).to_have_value("Test Phone Pro")
    assert errors == []


def test_a_new_device_offers_the_fields_of_the_category_chosen(editor, live_server, phones):
    page, errors = editor
    page.goto(f"{live_server.url}/admin/catalog/device/add/")
    page.get_by_label("Name:").fill("Fairphone 6")
    page.get_by_label("Category:").select_option(label="Phones")
    page.wait_for_url(f"**category={phones['category'].pk}**")
    expect(page.get_by_label("Name:")).to_have_value("Fairphone 6")
    # A row for each of the category's fields, and those alone offered.
    rows = page.locator("#specs-group tr.form-row:not(.empty-form) select[name$='-field']")
    selected = rows.locator("option[selected]")
    expect(selected).to_have_count(2)
    assert set(selected.all_inner_texts()) == {"IP rating", "Battery capacity (mAh)"}
    assert page.locator("#specs-group option", has_text="Keyboard").count() == 0

    page.get_by_label("Category:").select_option(label="Laptops")
    expect(selected).to_have_text(["Keyboard"])
    expect(page.get_by_label("Name:")).to_have_value("Fairphone 6")
    assert errors == []


def test_a_story_that_named_a_new_device_is_linked_from_its_page(editor, live_server):
    page, errors = editor
    device = DeviceFactory(name="Pulse Watch 2", slug="pulse-watch-2")
    story = ArticleFactory(title="Wearables roundup", mentions="Pulse Watch 2\nOther Band")
    page.goto(f"{live_server.url}/admin/catalog/device/{device.pk}/change/")
    section = page.locator("#stories-naming")
    expect(section).to_contain_text("Wearables roundup")
    section.get_by_role("button", name="Link Pulse Watch 2 to “Wearables roundup”").click()
    expect(page.get_by_text("“Wearables roundup” now links the Pulse Watch 2.")).to_be_visible()
    expect(page.locator("#stories-naming")).to_have_count(0)
    story = Article.objects.get(pk=story.pk)
    assert list(story.devices.all()) == [device] and story.mentions == "Other Band"
    assert errors == []


WIDE_TABLE = "\n".join(
    [
        "A table of figures:",
        "",
        "| Model | Display | Resolution | Brightness | Refresh | Processor | Battery |",
        "|---|---|---|---|---|---|---|",
        "| Phone Ultra | 6.8-inch Dynamic AMOLED | 3120 × 1440 | 2600 nits | 1–120 Hz "
        "| Snapdragon 8 Elite | 5000 mAh |",
        "| Phone Compact | 6.1-inch OLED | 2340 × 1080 | 2000 nits | 60 Hz "
        "| Dimensity 9400 | 4000 mAh |",
    ]
)

WORDS_ON_ONE_LINE = """cells => cells.every(cell => {
  const text = cell.firstChild;
  if (!text || text.nodeType !== Node.TEXT_NODE) return true;
  const pattern = /\\S+/g;
  let match;
  while ((match = pattern.exec(text.data))) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    if (range.getClientRects().length !== 1) return false;
  }
  return true;
})"""


def test_a_story_table_scrolls_in_its_box_on_a_phone_with_words_whole(browser, live_server):
    story = ArticleFactory(title="Two phones compared", slug="two-phones", body=WIDE_TABLE)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    watch(page, errors)
    try:
        page.goto(f"{live_server.url}{story.get_absolute_url()}")
        box = page.locator(".article__body .table-scroll")
        expect(box.locator("th", has_text="Resolution")).to_be_visible()
        # The page does not scroll sideways; the table does, inside its box.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
        assert page.locator(".article__body th, .article__body td").evaluate_all(WORDS_ON_ONE_LINE)
        assert_accessible(page)
    finally:
        context.close()
    assert errors == []
