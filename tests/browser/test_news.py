"""The reader's and the editor's flows through the newsroom in a real browser."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from news.models import Article
from tests.browser.axe import assert_accessible
from tests.factories import DeviceFactory, TagFactory

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
    pick_autocomplete(page, "tags", "Wearables")
    pick_autocomplete(page, "devices", "Pulse Watch")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    article = Article.objects.get(slug="pulse-watch-gets-a-new-sensor")
    assert article.state == "Scheduled"
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
