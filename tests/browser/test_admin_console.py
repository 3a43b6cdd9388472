"""The admin pages an editor uses run without a console error, and scheduling works with the
admin's date and time pickers."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import expect

from core.editors import EDITORS_GROUP
from news.models import Article
from tests.browser.axe import assert_accessible
from tests.factories import ArticleFactory, BrandFactory, DeviceFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"


@pytest.fixture
def editor_page(page, live_server):
    """``page`` signed in to the admin as a member of Editors only, recording every console
    error and uncaught exception in ``page.errors`` as (url, text)."""
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    page.errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append((page.url, message.text)),
    )
    page.on("pageerror", lambda error: page.errors.append((page.url, str(error))))
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    return page


def choose_schedule_action(page, live_server, titles):
    """From the story list, select the stories named ``titles`` and run "Schedule…"."""
    page.goto(f"{live_server.url}/admin/news/article/")
    for title in titles:
        page.locator("tr", has_text=title).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("schedule")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("h1")).to_have_text("Schedule articles")


def test_no_console_error_on_the_admin_pages_an_editor_uses(editor_page, live_server):
    page = editor_page
    story = ArticleFactory(title="A live story")
    device = DeviceFactory(name="Pulse Watch")
    BrandFactory(name="Acme")
    paths = [
        "/admin/",
        "/admin/news/article/",
        "/admin/news/article/add/",
        f"/admin/news/article/{story.pk}/change/",
        "/admin/news/article/calendar/",
        "/admin/catalog/device/",
        "/admin/catalog/device/add/",
        f"/admin/catalog/device/{device.pk}/change/",
        "/admin/catalog/brand/add/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, path
        page.wait_for_load_state("networkidle")
    choose_schedule_action(page, live_server, ["A live story"])
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    # The pickers are there: the calendar and clock shortcuts of the admin's widgets.
    expect(page.locator(".datetimeshortcuts")).to_have_count(2)
    assert_accessible(page)


def test_editor_schedules_a_draft_with_the_pickers(editor_page, live_server, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    page = editor_page
    draft = ArticleFactory(title="Draft about watches", status="draft", published_at=None)
    choose_schedule_action(page, live_server, ["Draft about watches"])
    expect(page.get_by_text("Times are in Asia/Kolkata (GMT+5:30).")).to_be_visible()
    # "Today" and "Now" fill the fields in the site's time zone, whatever the browser's.
    page.locator(".datetimeshortcuts").first.get_by_role("button", name="Today").click()
    expect(page.locator("#id_published_at_0")).to_have_value(timezone.localdate().isoformat())
    page.locator(".datetimeshortcuts").last.get_by_role("button", name="Now").click()
    expect(page.locator("#id_published_at_1")).not_to_have_value("")
    # Typing works as well: tomorrow morning.
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.locator("#id_published_at_0").fill(tomorrow.isoformat())
    page.locator("#id_published_at_1").fill("09:30:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".messagelist")).to_contain_text("Scheduled 1 article(s)")
    draft.refresh_from_db()
    assert draft.state == "Scheduled"
    local = timezone.localtime(draft.published_at)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 9, 30)
    assert page.errors == []


def test_editor_takes_a_live_story_offline_until_a_later_time(editor_page, live_server):
    page = editor_page
    live = ArticleFactory(title="Live review", published_at=timezone.now() - timedelta(hours=1))
    choose_schedule_action(page, live_server, ["Live review"])
    expect(page.get_by_text("is live now")).to_be_visible()
    later = timezone.localtime() + timedelta(days=2)
    page.locator("#id_published_at_0").fill(later.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill("08:00:00")
    page.get_by_label("Take it offline until then").check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".messagelist")).to_contain_text("offline until then")
    live.refresh_from_db()
    assert live.state == "Scheduled"
    page.goto(f"{live_server.url}/news/")
    expect(page.get_by_text("Live review")).to_have_count(0)
    assert page.errors == []


def test_calendar_shows_a_scheduled_story_and_opens_it(editor_page, live_server):
    page = editor_page
    story = ArticleFactory(
        title="Tomorrow's story", published_at=timezone.now() + timedelta(days=1)
    )
    page.goto(f"{live_server.url}/admin/news/article/")
    page.get_by_role("link", name="Calendar").click()
    page.get_by_role("link", name="Tomorrow's story").click()
    expect(page).to_have_url(f"{live_server.url}/admin/news/article/{story.pk}/change/")
    page.go_back()
    assert_accessible(page)
    assert Article.objects.get(pk=story.pk).state == "Scheduled"
    assert page.errors == []


def test_editor_filters_devices_by_brand_and_year_from_drop_downs(editor_page, live_server):
    """Brand and year are drop-downs (43 brands were 43 links); choosing one keeps the
    search typed before, and nothing logs an error."""
    page = editor_page
    brands = [BrandFactory(name=f"Maker {n:02d}") for n in range(12)]
    for n, brand in enumerate(brands):
        DeviceFactory(name=f"Phone {n}", brand=brand, released=date(2020 + n % 3, 6, 1))
    DeviceFactory(name="Phone 99", brand=brands[7], released=date(2022, 6, 1))
    page.goto(f"{live_server.url}/admin/catalog/device/?q=Phone")
    page.get_by_label("Brand", exact=True).select_option(label="Maker 07")
    page.locator("form.select-filter", has=page.get_by_label("Brand", exact=True)).get_by_role(
        "button", name="Filter"
    ).click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    assert "q=Phone" in page.url and f"brand__id__exact={brands[7].pk}" in page.url
    page.get_by_label("Release year").select_option("2021")
    page.locator("form.select-filter", has=page.get_by_label("Release year")).get_by_role(
        "button", name="Filter"
    ).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Phone 7")
    assert page.errors == []
