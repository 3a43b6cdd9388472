"""Images in stories: hero images follow the site's image rules, editors upload body images
and get the Markdown to paste, and remote images are flagged before they publish broken."""

import io
import logging

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from news.markdown import remote_images, render_markdown
from news.models import STORY_IMAGE_WIDTH, Article, StoryImage
from tests.core.test_images import gps_exif, has_gps, hollow_jpeg, no_decoding, png  # noqa: F401
from tests.factories import ArticleFactory, AuthorFactory, image_bytes, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("chief", "chief@example.com", "pw"))
    return client


def story_data(**changes):
    data = {
        "title": "Fresh story",
        "slug": "fresh-story",
        "summary": "Short.",
        "author": AuthorFactory(name="Ada Editor").pk,
        "status": "draft",
        "body": "Hello.",
        "hero_alt": "",
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def add_story(admin_client, **changes):
    return admin_client.post(reverse("admin:news_article_add"), story_data(**changes))


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("poster.png", png(12_000, 12_000), "poster.png is 12,000 × 12,000 pixels"),
        ("cut.jpg", image_bytes(640, 480)[:900], "cut.jpg is broken or cut short"),
        ("tiny.png", png(6000, 6600, rgb=True), "tiny.png is broken or cut short"),
        ("hollow.jpg", hollow_jpeg(6000, 6600), "hollow.jpg is broken or cut short"),
        ("notes.txt", b"not an image", "notes.txt is not an image (JPEG, PNG or WebP)."),
    ],
)
def test_a_bad_hero_image_is_refused_naming_the_file(admin_client, name, data, error):
    response = add_story(admin_client, hero_image=image_upload(name, data=data))
    assert response.status_code == 200
    assert error in response.text
    assert not Article.objects.exists()


def test_a_hero_image_is_stored_without_its_gps_position(admin_client):
    upload = image_upload("hero.jpg", width=1600, height=900, exif=gps_exif())
    assert add_story(admin_client, hero_image=upload).status_code == 302
    article = Article.objects.get()
    assert not has_gps(default_storage.open(article.hero_image.name).read())
    assert article.hero_card and article.hero_page


def test_a_hero_bomb_saved_outside_the_admin_is_never_decoded(no_decoding, caplog):  # noqa: F811
    from django.core.files.base import ContentFile

    with caplog.at_level(logging.WARNING, logger="news.models"):
        article = ArticleFactory(hero_image=ContentFile(png(12_000, 12_000, full=True), "b.png"))
    assert not article.hero_card and not article.hero_page
    assert "b.png is 12,000 × 12,000 pixels" in caplog.text


def test_an_uploaded_story_image_gives_the_markdown_to_paste(admin_client):
    upload = image_upload("wide.jpg", width=2400, height=1200, exif=gps_exif())
    data = story_data(
        **{
            "images-TOTAL_FORMS": 1,
            "images-0-image": upload,
            "images-0-alt": "The car [prototype] at night",
        }
    )
    assert admin_client.post(reverse("admin:news_article_add"), data).status_code == 302
    image = StoryImage.objects.get()
    assert image.image.name.startswith("news/story/")
    assert image.markdown == f"![The car (prototype) at night](/media/{image.image.name})"
    stored = default_storage.open(image.image.name).read()
    assert not has_gps(stored)
    assert Image.open(io.BytesIO(stored)).size == (STORY_IMAGE_WIDTH, STORY_IMAGE_WIDTH // 2)
    page = admin_client.get(reverse("admin:news_article_change", args=[image.article.pk])).text
    assert f'value="{image.markdown}"' in page.replace("&quot;", '"')
    # Pasted into the story, it shows: the site's own media pass the security policy.
    assert remote_images(render_markdown(image.markdown)) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [("tiny.png", png(6000, 6600, rgb=True)), ("hollow.jpg", hollow_jpeg(6000, 6600))],
)
def test_a_story_image_cut_short_is_refused_naming_it(admin_client, name, data):
    data = story_data(**{"images-TOTAL_FORMS": 1, "images-0-image": image_upload(name, data=data)})
    response = admin_client.post(reverse("admin:news_article_add"), data)
    assert response.status_code == 200
    assert f"{name} is broken or cut short: it cannot be read." in response.text
    assert not StoryImage.objects.exists()


def test_a_remote_image_is_flagged_in_the_preview_and_on_save(admin_client):
    body = "Look: ![chart](https://elsewhere.example/chart.png) and ![ok](/media/news/story/a.jpg)"
    response = add_story(admin_client, body=body)
    assert response.status_code == 302
    warned = admin_client.get(response["Location"]).text
    assert "1 image(s) in the story come from another site" in warned
    page = admin_client.get(reverse("admin:news_article_change", args=[Article.objects.get().pk]))
    page = page.text
    assert "1 image(s) in the story come from another site and will show as broken" in page
    assert "<code>https://elsewhere.example/chart.png</code>" in page
    assert "/media/news/story/a.jpg</code>" not in page


def test_only_images_from_the_site_or_its_media_origin_pass(settings):
    settings.MEDIA_ORIGIN = "https://media.example.com"
    html = render_markdown(
        "![a](/media/a.jpg) ![b](https://media.example.com/b.jpg) ![c](https://cdn.other/c.jpg) "
        "![d](//cdn.other/d.jpg) ![e](https://media.example.com.evil.test/e.jpg) ![f](pic.jpg)"
    )
    assert remote_images(html) == [
        "https://cdn.other/c.jpg",
        "//cdn.other/d.jpg",
        "https://media.example.com.evil.test/e.jpg",
    ]
