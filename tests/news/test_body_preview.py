"""The article form's live preview: the unsaved body rendered as publishing renders it."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from news.admin import _remote_warning, body_preview
from news.markdown import render_markdown
from tests.factories import ArticleFactory
from tests.hostile import BREAKOUT, SCRIPT

pytestmark = pytest.mark.django_db

PREVIEW = "admin:news_article_preview"


def preview(client, body):
    return client.post(reverse(PREVIEW), {"body": body})


def test_the_preview_is_the_body_as_published_without_scripts(editor_client):
    body = f"# Heading\n\n**bold** {SCRIPT}\n\n[x](javascript:alert(1))\n\n| a | b |\n|---|---|\n"
    response = preview(editor_client, body)
    assert response.status_code == 200
    data = response.json()
    assert data["html"] == render_markdown(body)
    assert "<h2>Heading</h2>" in data["html"] and "<strong>bold</strong>" in data["html"]
    assert "<script" not in data["html"] and 'href="javascript' not in data["html"]
    assert "<script" not in data["preview"]["body"]
    assert (data["remote_images"], data["warning"], data["preview"]["warning"]) == ([], "", "")


def test_the_preview_flags_images_from_other_sites_as_a_save_does(editor_client):
    body = "![chart](https://elsewhere.example/chart.png) ![ok](/media/news/story/a.jpg)"
    data = preview(editor_client, body).json()
    assert data["remote_images"] == ["https://elsewhere.example/chart.png"]
    assert data["warning"] == _remote_warning(["https://elsewhere.example/chart.png"])
    assert "1 image(s) in the story come from another site" in data["preview"]["warning"]
    assert "<code>https://elsewhere.example/chart.png</code>" in data["preview"]["warning"]
    # Published as it is; the preview shows it broken rather than asking the other site.
    assert 'src="https://elsewhere.example/chart.png"' in data["html"]
    assert "elsewhere.example" not in data["preview"]["body"]
    assert '<img src="/media/news/story/a.jpg" alt="ok">' in data["preview"]["body"]


def test_a_hostile_image_address_is_listed_as_text():
    # Markdown percent-encodes such an address; a rendered body could still hold one.
    warning, body = body_preview(f'<p><img src="https://evil.example/{escape(BREAKOUT)}"></p>')
    assert "<img src=x" not in warning and f"{escape(BREAKOUT)}</code>" in warning
    assert str(body) == "<p><img></p>"


@pytest.mark.parametrize("body", ["", "x" * 200_000])
def test_any_body_gets_an_answer(editor_client, body):
    response = preview(editor_client, body)
    assert response.status_code == 200
    assert response.json()["html"] == render_markdown(body)


def test_a_body_with_nul_is_a_bad_request(editor_client):
    assert preview(editor_client, "a\x00b").status_code == 400


def test_a_missing_body_previews_as_empty(editor_client):
    response = editor_client.post(reverse(PREVIEW), {})
    assert response.status_code == 200 and response.json()["html"] == ""


def test_the_preview_takes_only_a_post(editor_client):
    assert editor_client.get(reverse(PREVIEW), {"body": "x"}).status_code == 405


def test_the_preview_needs_the_csrf_token(db):
    editor = User.objects.create_user("strict", password="pw", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert preview(client, "**x**").status_code == 403


@pytest.mark.parametrize("codenames", [[], ["view_article"], ["change_tag", "add_tag"]])
def test_staff_who_may_not_write_stories_are_refused(client, codenames):
    user = User.objects.create_user("reader", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    assert preview(client, "**x**").status_code == 403


@pytest.mark.parametrize("codename", ["add_article", "change_article"])
def test_adding_or_changing_stories_is_enough(client, codename):
    user = User.objects.create_user("writer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    assert preview(client, "**x**").json()["html"] == "<p><strong>x</strong></p>\n"


def test_visitors_are_sent_to_sign_in(client):
    response = preview(client, "**x**")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_form_carries_the_saved_body_and_the_preview_address(editor_client):
    article = ArticleFactory(body="Saved **text** ![c](https://elsewhere.example/c.png)")
    page = editor_client.get(reverse("admin:news_article_change", args=[article.pk])).text
    assert f'data-preview-url="{reverse(PREVIEW)}"' in page
    assert '<p class="article-preview-status" role="status">As last saved.</p>' in page
    assert "<strong>text</strong>" in page
    assert "1 image(s) in the story come from another site" in page
    assert 'src="https://elsewhere.example/c.png"' not in page
    assert "/static/js/admin-preview.js" in page


def test_a_new_story_says_where_its_body_will_show(editor_client):
    page = editor_client.get(reverse("admin:news_article_add")).text
    assert "Save the article to see the rendered body here." in page
    assert '<p class="article-preview-status" role="status"></p>' in page
