"""Two editors, two browsers, one story: the second save is refused with what changed, keeps
what was typed, and a second click saves it."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from core.editors import EDITORS_GROUP
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"


def signed_in_tab(browser, live_server, username, first_name):
    user = User.objects.create_user(
        username, password=PASSWORD, is_staff=True, first_name=first_name, last_name="Editor"
    )
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Articles")).to_be_visible()
    return page


def test_the_second_editor_to_save_reads_what_changed_and_saves_again_deliberately(
    browser, live_server
):
    story = ArticleFactory(title="Old title", summary="Old summary.", body="Plain.")
    url = f"{live_server.url}/admin/news/article/{story.pk}/change/"
    ann = signed_in_tab(browser, live_server, "ann", "Ann")
    bea = signed_in_tab(browser, live_server, "bea", "Bea")
    try:
        ann.goto(url)
        bea.goto(url)
        bea.get_by_label("Summary").fill("Bea's summary.")
        bea.get_by_role("button", name="Save", exact=True).click()
        expect(bea.locator(".messagelist")).to_contain_text("was changed successfully")

        ann.get_by_label("Title").fill("Ann's title")
        ann.get_by_role("button", name="Save", exact=True).click()
        errors = ann.locator(".errorlist.nonfield")
        expect(errors).to_contain_text("Bea Editor changed this article after you opened it")
        expect(errors).to_contain_text("Summary")
        expect(errors).to_contain_text("Saving again will replace their changes with yours.")
        expect(ann.get_by_label("Title")).to_have_value("Ann's title")
        story.refresh_from_db()
        assert (story.title, story.summary) == ("Old title", "Bea's summary.")

        ann.get_by_role("button", name="Save", exact=True).click()
        expect(ann.locator(".messagelist")).to_contain_text("was changed successfully")
        story.refresh_from_db()
        assert (story.title, story.summary) == ("Ann's title", "Old summary.")
    finally:
        ann.context.close()
        bea.context.close()
