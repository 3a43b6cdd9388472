"""A story's History page, restoring a story, and the revisions the publishing actions leave."""

from datetime import timedelta

import pytest
import reversion
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertInHTML
from reversion.models import Version

from news.models import Article
from tests.factories import ArticleFactory, DeviceFactory, TagFactory
from tests.news.test_admin import _change_form_data

pytestmark = pytest.mark.django_db

BODY = "Intro paragraph.\n\nThe battery lasts two days.\n\nClosing words."


def keep(article, comment="Saved"):
    with reversion.create_revision():
        reversion.set_comment(comment)
        reversion.add_to_revision(Article.objects.get(pk=article.pk))


def versions_of(article):
    return list(Version.objects.get_for_object(article).order_by("pk"))


def history_url(article):
    return reverse("admin:news_article_history", args=[article.pk])


@pytest.fixture
def story():
    android, ios = TagFactory(name="Android"), TagFactory(name="iOS")
    phone = DeviceFactory(name="Pixel 9")
    return ArticleFactory(
        title="Pixel 9 review", body=BODY, tags=[ios], devices=[phone], summary="Short."
    ), {"android": android, "ios": ios, "phone": phone}


def test_history_tells_a_title_tags_devices_and_the_lines_of_the_body_that_changed(
    editor_client, story
):
    article, rows = story
    keep(article)
    response = editor_client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        _change_form_data(
            article,
            title="Pixel 9 review: two days later",
            body=BODY.replace("two days", "a day and a half"),
            tags=[rows["android"].pk],
            devices=[],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = editor_client.get(history_url(article))
    assert page.status_code == 200
    text = page.text
    assertInHTML(
        "<li>Title: <del>Pixel 9 review</del> → <ins>Pixel 9 review: two days later</ins></li>",
        text,
    )
    assertInHTML("<li>Tags: added <ins>Android</ins></li>", text)
    assertInHTML("<li>Tags: removed <del>iOS</del></li>", text)
    assertInHTML("<li>Devices mentioned: removed <del>Pixel 9</del></li>", text)
    body = next(c for c in page.context["rows"][0].changes if c.label == "Body")
    assert body.kind == "edited"
    assert body.excerpt == (
        ("-", "The battery lasts two days."),
        ("+", "The battery lasts a day and a half."),
    )
    assertInHTML("<del>- The battery lasts two days.</del>", text)
    # Unchanged lines are not repeated, nor is the rendered body.
    assert "Intro paragraph." not in text.split('id="change-history"')[1]
    assert [c.label for c in page.context["rows"][0].changes] == [
        "Title",
        "Body",
        "Tags",
        "Tags",
        "Devices mentioned",
    ]


def test_restoring_a_story_shows_on_its_page_at_the_next_request(editor_client, story, committed):
    article, rows = story
    keep(article)
    Article.objects.filter(pk=article.pk).update(title="A headline gone wrong")
    article.tags.set([rows["android"]])
    keep(article)
    assert "A headline gone wrong" in Client().get(article.get_absolute_url()).text  # cached
    url = reverse("admin:news_article_restore", args=[article.pk, versions_of(article)[0].pk])
    with committed():
        response = editor_client.post(url)
    assert response.status_code == 302
    page = Client().get(article.get_absolute_url()).text
    assert "Pixel 9 review" in page and "A headline gone wrong" not in page
    article.refresh_from_db()
    assert list(article.tags.all()) == [rows["ios"]]
    assert versions_of(article)[-1].revision.comment.startswith("Restored the version of ")


def test_publish_now_leaves_a_revision_of_each_story(admin_client):
    draft = ArticleFactory(status="draft", published_at=None)
    later = ArticleFactory(published_at=timezone.now() + timedelta(days=3))
    admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish_now", ACTION_CHECKBOX_NAME: [draft.pk, later.pk]},
    )
    [version] = versions_of(draft)
    assert version.revision.comment == "Published now"
    assert version.revision.user.username == "admin"
    assert version.field_dict["status"] == "published"
    assert {v.object_id for v in version.revision.version_set.all()} == {
        str(draft.pk),
        str(later.pk),
    }
    page = admin_client.get(history_url(draft))
    assert page.context["rows"][0].comment == "Published now"


def test_schedule_leaves_a_revision_saying_when(admin_client):
    draft = ArticleFactory(status="draft", published_at=None)
    when = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    admin_client.post(
        reverse("admin:news_article_changelist"),
        {
            "action": "schedule",
            ACTION_CHECKBOX_NAME: [draft.pk],
            "apply": "Schedule",
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
        },
    )
    [version] = versions_of(draft)
    assert version.revision.comment == f"Scheduled for {when:%Y-%m-%d %H:%M} UTC"
    assert version.field_dict["published_at"] == when


def test_an_editor_sees_the_history_of_a_story_and_may_restore_it(editor_client, story):
    article, _rows = story
    keep(article)
    keep(article)
    page = editor_client.get(history_url(article))
    assert page.status_code == 200
    assert page.context["can_restore"]
    assert "Restore this version" in page.text
