"""Stories that name a device the catalog lacked: listed on the device's admin page once it
exists, and linked to it in one click."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from core.content import content_version
from news.admin import NAMING_STORIES, stories_naming
from news.models import Article, without_name
from tests.factories import ArticleFactory, BrandFactory, DeviceFactory
from tests.hostile import BREAKOUT, SCRIPT

pytestmark = pytest.mark.django_db


@pytest.fixture
def portege():
    dynabook = BrandFactory(name="Dynabook")
    return DeviceFactory(name="Portégé X30", slug="portege-x30", brand=dynabook)


def device_page(client, device):
    return client.get(reverse("admin:catalog_device_change", args=[device.pk]))


def link(client, story, device):
    url = reverse("admin:news_article_link_device", args=[story.pk])
    return client.post(url, {"device": device.pk})


def test_stories_naming_the_device_in_their_list_or_title_are_offered(editor_client, portege):
    listed = ArticleFactory(title="Laptops this week", mentions="Zenbook 14\nPORTEGE x30")
    titled = ArticleFactory(title="The Portege X30 reviewed", mentions="")
    draft = ArticleFactory(title="Draft", mentions="portégé x30", status="draft", published_at=None)
    ArticleFactory(title="Linked already", mentions="Portégé X30", devices=[portege])
    ArticleFactory(title="Other laptops", mentions="Portégé Z20")
    page = device_page(editor_client, portege)
    assert "Stories that mention this name but are not linked" in page.text
    assert offered(page) == [draft.title, titled.title, listed.title]


def offered(page):
    """The titles of the stories the section offers to link, as they come."""
    forms = {
        page.text.find(reverse("admin:news_article_link_device", args=[story.pk])): story.title
        for story in Article.objects.all()
    }
    return [title for at, title in sorted(forms.items()) if at != -1]


def test_no_section_when_no_story_names_the_device(editor_client, portege):
    ArticleFactory(title="Something else", mentions="Pixel 10")
    assert "Stories that mention this name" not in device_page(editor_client, portege).text


def test_the_section_costs_one_query_and_lists_at_most_twenty(
    rf, portege, django_assert_num_queries
):
    ArticleFactory.create_batch(NAMING_STORIES + 5, mentions="Portege X30")
    request = rf.get("/")
    request.user = User.objects.create_superuser("chief", "chief@example.com", "pw")
    with django_assert_num_queries(1):
        html = stories_naming(request, portege)
    assert html.count('name="device"') == NAMING_STORIES


def test_link_adds_the_device_and_strikes_its_name_from_the_list(editor_client, portege):
    story = ArticleFactory(
        title="Laptops this week",
        mentions="Zenbook 14\n portégé x30 \nDynabook Portege X30\nPortégé X30 Pro\n\n",
    )
    response = link(editor_client, story, portege)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_device_change", args=[portege.pk])
    story.refresh_from_db()
    assert list(story.devices.all()) == [portege]
    assert story.mentions == "Zenbook 14\nPortégé X30 Pro"
    # Once linked, it is no longer offered; History tells who linked it.
    page = device_page(editor_client, portege)
    assert "Stories that mention this name" not in page.text
    assert "now links the Portégé X30" in page.text
    assert LogEntry.objects.get(object_id=str(story.pk)).change_message == (
        "Linked the device “Portégé X30”."
    )
    version = Version.objects.get_for_object(story).get()
    assert version.revision.user.username == "editor"
    assert version.field_dict["devices"] == [portege.pk]


def test_linking_shows_the_story_on_the_public_device_page(
    editor_client, client, portege, committed
):
    story = ArticleFactory(title="Portege X30 hands-on", mentions="Portege X30")
    assert story.title not in client.get(portege.get_absolute_url()).text
    before = content_version()
    with committed():
        assert link(editor_client, story, portege).status_code == 302
    assert content_version() != before
    assert story.title in client.get(portege.get_absolute_url()).text


def test_a_name_is_struck_only_where_a_line_is_the_device(portege):
    mentions = "Portege X30\nDynabook  Portégé X30\nPortege X30 Pro\nthe Portege X30"
    assert without_name(mentions, portege) == "Portege X30 Pro\nthe Portege X30"


@pytest.fixture
def reader(client):
    """Staff who may see stories and devices but not change stories."""
    user = User.objects.create_user("reader", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_article", "view_device", "change_device"])
    )
    client.force_login(user)
    return client


def test_staff_who_may_not_change_stories_see_the_list_but_cannot_link(reader, portege):
    story = ArticleFactory(mentions="Portege X30")
    page = device_page(reader, portege)
    assert "Stories that mention this name but are not linked" in page.text
    assert story.title in page.text and ">Link</button>" not in page.text
    assert link(reader, story, portege).status_code == 403
    assert not story.devices.exists()


def test_staff_who_may_not_see_stories_get_no_section(client, portege):
    user = User.objects.create_user("cataloguer", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["change_device"]))
    client.force_login(user)
    story = ArticleFactory(mentions="Portege X30")
    page = device_page(client, portege)
    assert page.status_code == 200 and story.title not in page.text


def test_link_needs_the_csrf_token(portege):
    editor = User.objects.create_superuser("strict", "strict@example.com", "pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    story = ArticleFactory(mentions="Portege X30")
    assert link(client, story, portege).status_code == 403
    assert not story.devices.exists()


def test_bad_link_requests_are_refused_without_an_error(editor_client, portege):
    story = ArticleFactory(mentions="Portege X30")
    url = reverse("admin:news_article_link_device", args=[story.pk])
    assert editor_client.get(url).status_code == 405
    for device in ["", "abc", "99999", "1" * 30]:
        assert editor_client.post(url, {"device": device}).status_code == 400
    missing = reverse("admin:news_article_link_device", args=[99999])
    assert editor_client.post(missing, {"device": portege.pk}).status_code == 404
    assert not story.devices.exists()


def test_hostile_titles_and_names_show_as_text(editor_client):
    device = DeviceFactory(name=f"Phone {SCRIPT}", slug="hostile-phone")
    ArticleFactory(title=f"Story {BREAKOUT}", mentions=f"phone {SCRIPT}")
    page = device_page(editor_client, device).text
    section = page[page.index('id="stories-naming"') :]
    assert SCRIPT not in section and BREAKOUT not in section
    assert "Story &quot;&gt;&lt;img src=x onerror=1&gt;" in section
