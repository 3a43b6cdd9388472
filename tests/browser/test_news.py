"""The reader's and the editor's flows through the newsroom in a real browser."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.editors import EDITORS_GROUP
from news.models import Article, Author
from tests.browser.axe import assert_accessible
from tests.factories import AuthorFactory, DeviceFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_reads_a_story_follows_read_more_and_adds_a_device(page, live_server):
    call_command("load_demo", verbosity=0)
    page.goto(f"{live_server.url}/")
    page.get_by_role(
        "link", name="Lei Jun wants Xiaomi among the world's top five carmakers"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lei Jun wants Xiaomi among the world's top five carmakers"
    )
    read_more = page.locator(".read-more")
    expect(read_more.locator("article")).to_have_count(3)
    assert_accessible(page)

    read_more.get_by_role("link", name="Nothing Phone (2) update", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nothing Phone (2) update")
    devices = page.locator(".story-devices")
    expect(devices.get_by_role("link", name="Compare these")).to_be_visible()
    devices.get_by_role("button", name="Add Nothing Phone (2) to your compare list").click()
    widget = page.locator("#compare-widget")
    expect(widget.get_by_role("link", name="Nothing Phone (2)")).to_be_visible()
    expect(
        devices.get_by_role("button", name="Remove Nothing Phone (2) from your compare list")
    ).to_be_visible()


def pick_autocomplete(page, field, text):
    """Choose ``text`` in the admin's select2 autocomplete for ``field``."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").last.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_editor_schedules_a_story_then_it_appears_when_due(page, live_server):
    User.objects.create_superuser("chief", "chief@example.com", "a-long-password")
    TagFactory(name="Wearables")
    DeviceFactory(name="Pulse Watch")
    AuthorFactory(name="Pat Writer")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/admin/news/article/add/")
    page.get_by_label("Title").press_sequentially("Pulse Watch gets a new sensor")
    expect(page.get_by_label("Slug")).to_have_value("pulse-watch-gets-a-new-sensor")
    page.get_by_label("Summary").fill("A heart-rate sensor, twice as accurate.")
    page.get_by_label("Status").select_option("published")
    later = timezone.localtime(timezone.now() + timedelta(days=2))
    page.locator("#id_published_at_0").fill(later.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(later.strftime("%H:%M:%S"))
    page.locator("#id_body").fill("## The sensor\n\nIt is **new**.")
    pick_autocomplete(page, "author", "Pat Writer")
    pick_autocomplete(page, "tags", "Wearables")
    pick_autocomplete(page, "devices", "Pulse Watch")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    article = Article.objects.get(slug="pulse-watch-gets-a-new-sensor")
    assert article.state == "Scheduled"
    assert article.author.name == "Pat Writer"
    assert [t.name for t in article.tags.all()] == ["Wearables"]
    assert [d.name for d in article.devices.all()] == ["Pulse Watch"]
    page.goto(f"{live_server.url}/news/")
    expect(page.get_by_text("Pulse Watch gets a new sensor")).to_have_count(0)

    page.goto(f"{live_server.url}/admin/news/article/{article.pk}/change/")
    earlier = timezone.localtime(timezone.now() - timedelta(minutes=5))
    page.locator("#id_published_at_0").fill(earlier.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(earlier.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{live_server.url}/news/")
    page.get_by_role("link", name="Pulse Watch gets a new sensor").click()
    expect(page.locator(".article__body h2")).to_have_text("The sensor")
    expect(page.get_by_text("Preview — not published")).to_have_count(0)


def test_editor_adds_an_author_and_a_story_signed_by_them_without_console_errors(page, live_server):
    from django.contrib.auth.models import Group

    editor = User.objects.create_user("ed", password="a-long-password", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/admin/news/author/add/")
    page.get_by_label("Name").press_sequentially("Femi Adeyemi")
    expect(page.get_by_label("Slug")).to_have_value("femi-adeyemi")
    page.get_by_label("Short bio").fill("Femi writes about batteries.")
    page.get_by_label("Staff account").select_option(label="ed")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Author.objects.get(slug="femi-adeyemi").user == editor

    page.goto(f"{live_server.url}/admin/news/article/add/")
    # Signed by the author linked to the editor's account.
    expect(page.locator(".field-author .select2-selection")).to_contain_text("Femi Adeyemi")
    page.get_by_label("Title").press_sequentially("Batteries that last a week")
    page.get_by_label("Summary").fill("Solid-state cells reach phones.")
    page.get_by_label("Status").select_option("published")
    earlier = timezone.localtime(timezone.now() - timedelta(minutes=5))
    page.locator("#id_published_at_0").fill(earlier.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(earlier.strftime("%H:%M:%S"))
    page.locator("#id_body").fill("They last a **week**.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.goto(f"{live_server.url}/admin/news/author/")
    expect(page.get_by_role("link", name="Femi Adeyemi")).to_be_visible()

    page.goto(f"{live_server.url}/news/batteries-that-last-a-week/")
    page.locator(".article__byline").get_by_role("link", name="Femi Adeyemi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Femi Adeyemi")
    expect(page.get_by_text("Femi writes about batteries.")).to_be_visible()
    expect(page.get_by_role("link", name="Batteries that last a week")).to_be_visible()
    assert_accessible(page)
    assert errors == []
