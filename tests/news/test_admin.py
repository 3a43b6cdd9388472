from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django.utils import timezone

from core.content import content_version
from core.editors import EDITORS_GROUP
from news.models import Article, Tag
from tests.factories import ArticleFactory, AuthorFactory, DeviceFactory, TagFactory, form_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("chief", "chief@example.com", "pw")
    user.first_name, user.last_name = "Ada", "Editor"
    user.save()
    client.force_login(user)
    return client


def test_changelist_shows_state_and_filters(admin_client):
    # Fixed text: Faker's random words could contain the searched word.
    text = {"summary": "Short.", "body": "Plain.", "author": AuthorFactory(name="Ada Editor")}
    ArticleFactory(title="Live one", **text)
    ArticleFactory(title="Later one", published_at=timezone.now() + timedelta(days=1), **text)
    ArticleFactory(title="Draft one", status="draft", published_at=None, **text)
    response = admin_client.get(reverse("admin:news_article_changelist"))
    assert response.status_code == 200
    for state in ("Live", "Scheduled", "Draft"):
        assert f'<td class="field-state">{state}</td>' in response.text
    searched = admin_client.get(reverse("admin:news_article_changelist"), {"q": "Later"})
    assert "Later one" in searched.text and "Live one" not in searched.text


def test_add_form_prefills_the_author_and_uses_autocomplete(admin_client):
    AuthorFactory(name="Someone Else")
    ada = AuthorFactory(name="Ada Editor", user=User.objects.get(username="chief"))
    response = admin_client.get(reverse("admin:news_article_add"))
    assert response.status_code == 200
    assert response.context["adminform"].form.initial["author"] == ada.pk
    assert f'<option value="{ada.pk}" selected>Ada Editor</option>' in response.text
    assert "admin-autocomplete" in response.text
    assert "prepopulated_fields" in response.text or "data-prepopulated" in response.text


def test_editor_can_add_a_story_with_a_tag_and_a_device(admin_client):
    tag, device = TagFactory(name="Phones"), DeviceFactory()
    response = admin_client.post(
        reverse("admin:news_article_add"),
        {
            "title": "Fresh story",
            "slug": "fresh-story",
            "summary": "Short.",
            "author": AuthorFactory(name="Ada Editor").pk,
            "status": "published",
            "published_at_0": "2020-01-01",
            "published_at_1": "10:00:00",
            "body": "Hello <script>x</script> **there**",
            "hero_alt": "",
            "tags": [tag.pk],
            "devices": [device.pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="fresh-story")
    assert list(article.tags.all()) == [tag] and list(article.devices.all()) == [device]
    assert "<strong>there</strong>" in article.body_html and "<script" not in article.body_html


def test_change_page_previews_the_rendered_body(admin_client):
    article = ArticleFactory(body="# Heading\n\n<img src=x onerror=alert(1)>")
    response = admin_client.get(reverse("admin:news_article_change", args=[article.pk]))
    assert '<div class="article-preview"><h2>Heading</h2>' in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert "View on site" in response.text


def test_view_on_site_works_for_a_draft(admin_client):
    draft = ArticleFactory(status="draft", published_at=None)
    redirect = admin_client.get(
        reverse("admin:view_on_site", args=[_content_type_id(), draft.pk]), follow=True
    )
    assert redirect.status_code == 200
    assert "Preview — not published" in redirect.text


def _content_type_id():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Article).pk


def test_publish_now_action_publishes_at_once(admin_client, client):
    draft = ArticleFactory(status="draft", published_at=None)
    later = ArticleFactory(published_at=timezone.now() + timedelta(days=3))
    response = admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish_now", ACTION_CHECKBOX_NAME: [draft.pk, later.pk]},
    )
    assert response.status_code == 302
    for article in (draft, later):
        article.refresh_from_db()
        assert article.is_live
    assert draft.title in admin_client.get(reverse("news:article-list")).text


def test_schedule_action_asks_for_a_time_then_schedules(admin_client):
    draft = ArticleFactory(status="draft", published_at=None)
    url = reverse("admin:news_article_changelist")
    form = admin_client.post(url, {"action": "schedule", ACTION_CHECKBOX_NAME: [draft.pk]})
    assert form.status_code == 200
    assert 'name="published_at_0"' in form.text
    when = timezone.now() + timedelta(days=2)
    done = admin_client.post(
        url,
        {
            "action": "schedule",
            ACTION_CHECKBOX_NAME: [draft.pk],
            "apply": "Schedule",
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
        },
    )
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "Scheduled"
    assert abs(draft.published_at - when) < timedelta(seconds=1)


def test_tag_admin_searches(admin_client):
    TagFactory(name="Electric vehicles")
    response = admin_client.get(reverse("admin:news_tag_changelist"), {"q": "electric"})
    assert "Electric vehicles" in response.text


def test_an_editor_can_add_and_change_a_story(editor_client):
    tag, device = TagFactory(name="Phones"), DeviceFactory()
    assert editor_client.get(reverse("admin:news_article_add")).status_code == 200
    response = editor_client.post(
        reverse("admin:news_article_add"),
        {
            "title": "Editor's story",
            "slug": "editors-story",
            "summary": "Short.",
            "author": AuthorFactory(name="An Editor").pk,
            "status": "published",
            "published_at_0": "2020-01-01",
            "published_at_1": "10:00:00",
            "body": "Plain.",
            "hero_alt": "",
            "tags": [tag.pk],
            "devices": [device.pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="editors-story")
    assert list(article.tags.all()) == [tag]
    url = reverse("admin:news_article_change", args=[article.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, _change_form_data(article, title="Retitled by an editor"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.title == "Retitled by an editor"


def test_an_editor_can_add_and_change_a_tag(editor_client):
    assert editor_client.get(reverse("admin:news_tag_add")).status_code == 200
    response = editor_client.post(
        reverse("admin:news_tag_add"), {"name": "Foldables", "slug": "foldables"}
    )
    assert response.status_code == 302
    tag = Tag.objects.get(slug="foldables")
    url = reverse("admin:news_tag_change", args=[tag.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"name": "Folding phones", "slug": "foldables"})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.name == "Folding phones"


def test_an_editor_can_write_news_but_not_change_the_schema_or_users(client):
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(editor)
    assert client.get(reverse("admin:news_article_add")).status_code == 200
    assert editor.has_perm("news.delete_article")
    assert not editor.has_perm("catalog.change_specfield")
    assert not editor.has_perm("auth.change_user")


@pytest.mark.parametrize("action", ["publish_now", "schedule"])
def test_a_view_only_user_can_neither_see_nor_run_the_publishing_actions(client, action):
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    draft = ArticleFactory(status="draft", published_at=None)
    url = reverse("admin:news_article_changelist")
    changelist = client.get(url)
    assert changelist.status_code == 200
    form = changelist.context["action_form"]
    assert form is None or action not in dict(form.fields["action"].choices)
    when = timezone.now()
    client.post(
        url,
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [draft.pk],
            "apply": "Schedule",
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
        },
    )
    draft.refresh_from_db()
    assert draft.state == "Draft"


def _change_form_data(article, **changes):
    """POST data for the article change form, opened now, with ``changes``."""
    data = {
        **form_token(article),
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "author": article.author_id,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "body": article.body,
        "hero_alt": article.hero_alt,
        "tags": [tag.pk for tag in article.tags.all()],
        "devices": [device.pk for device in article.devices.all()],
    }
    return data | changes


def test_changing_only_the_tags_shows_on_the_public_pages(admin_client, client, committed):
    article = ArticleFactory(title="Tagged later")
    tag = TagFactory(name="Phones")
    assert "Tagged later" not in client.get(tag.get_absolute_url()).text
    before = content_version()
    with committed():
        response = admin_client.post(
            reverse("admin:news_article_change", args=[article.pk]),
            _change_form_data(article, tags=[tag.pk]),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert content_version() != before
    assert "Tagged later" in client.get(tag.get_absolute_url()).text


def test_the_admin_bumps_the_version_after_many_to_many_edits_on_its_own(rf, committed):
    """The change form saves the article too, which bumps the version by itself: this pins
    the bump after the links are written, so it holds without that save."""
    article, tag = ArticleFactory(), TagFactory()
    model_admin = admin.site.get_model_admin(Article)
    request = rf.post("/")
    request.user = User.objects.create_superuser("boss", "boss@example.com", "pw")
    form_class = model_admin.get_form(request, article, change=True)
    form = form_class(_change_form_data(article, tags=[tag.pk]), instance=article)
    assert form.is_valid(), form.errors
    form.save(commit=False)
    before = content_version()
    with committed():
        model_admin.save_related(request, form, [], change=True)
    assert list(article.tags.all()) == [tag]
    assert content_version() != before
