"""Authors: their page, their bylines everywhere, the sitemap, the feed and the admin."""

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from news.models import AUTHOR_PHOTO_WIDTH, Article, Author
from tests.core.test_images import gps_exif, has_gps
from tests.factories import ArticleFactory, AuthorFactory, DeviceFactory, TagFactory, image_upload
from tests.news.test_pages import json_ld

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def byline(author):
    return f'<a href="{author.get_absolute_url()}" rel="author">{author.name}</a>'


@pytest.fixture
def prolific(db):
    """An author with 32 published stories (two tags each), one an hour back from an hour
    ago, and a draft and a scheduled story."""
    author = AuthorFactory(name="Mei Lin", bio="Covers cars.\n\nAnd phones & chips.")
    tags = [TagFactory(name=f"Topic {i}") for i in range(4)]
    now = timezone.now()
    stories = [
        ArticleFactory(
            title=f"Mei story {i}",
            author=author,
            published_at=now - timedelta(hours=i + 1),
            tags=[tags[i % 4], tags[(i + 1) % 4]],
        )
        for i in range(32)
    ]
    ArticleFactory(title="Mei draft", author=author, status="draft", published_at=None)
    ArticleFactory(title="Mei later", author=author, published_at=now + timedelta(days=1))
    return {"author": author, "stories": stories}


def test_author_page_shows_the_profile_and_the_newest_stories_first(client, prolific):
    author = prolific["author"]
    response = client.get(reverse("news:author", args=[author.slug]))
    assert response.status_code == 200
    assert response.context["author"] == author
    assert "<h1" in response.text and ">Mei Lin</h1>" in response.text
    assert "<p>Covers cars.</p>" in response.text and "<p>And phones &amp; chips.</p>" in (
        response.text
    )
    shown = [story.title for story in response.context["page"].object_list]
    assert shown == [f"Mei story {i}" for i in range(20)]
    assert f'rel="canonical" href="http://testserver{author.get_absolute_url()}"' in response.text


def test_author_page_is_paginated(client, prolific):
    url = prolific["author"].get_absolute_url()
    second = client.get(url, {"page": 2})
    shown = [story.title for story in second.context["page"].object_list]
    assert shown == [f"Mei story {i}" for i in range(20, 32)]
    assert 'rel="prev"' in second.text and "?page=2" in second.text
    junk = client.get(url, {"page": "abc"})
    assert junk.status_code == 200 and junk.context["page"].number == 1


def test_drafts_and_scheduled_stories_never_appear_on_the_author_page(client, prolific):
    url = prolific["author"].get_absolute_url()
    pages = [client.get(url, {"page": number}).text for number in (1, 2)]
    assert all("Mei story" in page for page in pages)
    assert not any("Mei draft" in page or "Mei later" in page for page in pages)


def test_an_author_without_published_stories_has_a_page_saying_so(client):
    author = AuthorFactory(name="New Writer")
    ArticleFactory(author=author, title="Unfinished", status="draft", published_at=None)
    response = client.get(author.get_absolute_url())
    assert response.status_code == 200
    assert "No stories by New Writer yet." in response.text
    assert "Unfinished" not in response.text


def test_unknown_author_is_a_404(client, db):
    assert client.get(reverse("news:author", args=["nobody"])).status_code == 404


def test_author_page_stays_within_the_public_query_budget(
    client, prolific, django_assert_max_num_queries
):
    url = prolific["author"].get_absolute_url()
    for page in ("1", "2"):
        with django_assert_max_num_queries(8, info=page):
            response = client.get(url, {"page": page})
        assert response.status_code == 200


def test_author_page_is_page_cached_until_the_content_changes(
    client, prolific, committed, django_assert_num_queries, version_queries
):
    author = prolific["author"]
    client.get(author.get_absolute_url())
    with django_assert_num_queries(version_queries):
        assert "Covers cars." in client.get(author.get_absolute_url()).text
    with committed():
        author.bio = "Now covers watches."
        author.save()
    assert "Now covers watches." in client.get(author.get_absolute_url()).text


def test_an_author_photo_is_stored_narrowed_without_its_gps_position(client):
    upload = image_upload("me.jpg", width=1200, height=1200, exif=gps_exif())
    author = AuthorFactory(name="Sam Okafor", photo=upload)
    assert author.photo.name.startswith("news/authors/")
    stored = default_storage.open(author.photo.name).read()
    assert not has_gps(stored)
    assert Image.open(io.BytesIO(stored)).size == (AUTHOR_PHOTO_WIDTH, AUTHOR_PHOTO_WIDTH)
    page = client.get(author.get_absolute_url()).text
    assert f'src="{author.photo.url}"' in page


def test_bylines_link_to_the_author_page_everywhere(client):
    author = AuthorFactory(name="Tomás Ferreira")
    assert author.get_absolute_url() == "/news/author/tomas-ferreira/"
    device, tag = DeviceFactory(), TagFactory(name="Chips")
    now = timezone.now()
    stories = [
        ArticleFactory(
            title=f"Chip story {i}",
            author=author,
            tags=[tag],
            devices=[device],
            published_at=now - timedelta(hours=i + 1),
        )
        for i in range(4)
    ]
    pages = {
        "home (lead and cards)": reverse("news:home"),
        "news list": reverse("news:article-list"),
        "tag page": tag.get_absolute_url(),
        "article page (byline and read more)": stories[0].get_absolute_url(),
    }
    for name, url in pages.items():
        html = client.get(url).text
        assert byline(author) in html, name
    home = client.get(reverse("news:home")).text
    assert home.count(byline(author)) == 4  # the lead story and three cards
    article = client.get(stories[0].get_absolute_url())
    assert article.text.count(byline(author)) == 4  # the byline and three read-more cards


def test_search_results_and_device_news_carry_their_author(client):
    author = AuthorFactory(name="Ana Ruiz")
    device = DeviceFactory(name="Quokka Phone")
    story = ArticleFactory(title="Quokka review", author=author, devices=[device])
    from news.search import search_articles

    found = search_articles("quokka")
    assert found == [story] and found[0].author.name == "Ana Ruiz"
    about = Article.objects.newest_about([device], 5)
    assert about == [story] and about[0].author.get_absolute_url() == author.get_absolute_url()


def test_bylines_on_written_out_rows_cost_no_query(django_assert_num_queries):
    author = AuthorFactory(name="Ben Okafor")
    devices = [DeviceFactory() for _ in range(3)]
    for i in range(6):
        ArticleFactory(author=author, devices=devices, title=f"Story {i}")
    with django_assert_num_queries(1):
        stories = Article.objects.newest_about(devices, 5)
        assert {story.author.name for story in stories} == {"Ben Okafor"}
        assert {story.author.slug for story in stories} == {author.slug}


def test_a_hostile_author_name_is_shown_as_text(client):
    author = AuthorFactory(name="<script>alert(1)</script>", slug="hostile")
    story = ArticleFactory(author=author)
    for url in [story.get_absolute_url(), author.get_absolute_url(), reverse("news:home")]:
        html = client.get(url).text
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    assert json_ld(client.get(story.get_absolute_url()))["author"]["name"] == author.name


def test_article_json_ld_names_the_author_with_their_page(client):
    story = ArticleFactory(author__name="Elif Kaya")
    data = json_ld(client.get(story.get_absolute_url()))
    assert data["author"] == {
        "@type": "Person",
        "name": "Elif Kaya",
        "url": "http://testserver/news/author/elif-kaya/",
    }


def test_sitemap_lists_authors_with_published_stories_only(client, prolific):
    writing = AuthorFactory(name="Only drafts")
    ArticleFactory(author=writing, status="draft", published_at=None)
    ArticleFactory(
        author=AuthorFactory(name="Only later"), published_at=timezone.now() + timedelta(1)
    )
    AuthorFactory(name="No stories")
    index = client.get(reverse("sitemap"))
    sections = [
        loc.text for loc in ET.fromstring(index.content).findall("s:sitemap/s:loc", SITEMAP_NS)
    ]
    assert "http://testserver/sitemap-authors.xml" in sections
    response = client.get("/sitemap-authors.xml")
    urls = {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in ET.fromstring(response.content).findall("s:url", SITEMAP_NS)
    }
    author = prolific["author"]
    assert list(urls) == [f"http://testserver{author.get_absolute_url()}"]
    newest = max(story.updated_at for story in prolific["stories"])
    assert urls[f"http://testserver{author.get_absolute_url()}"].startswith(str(newest.date()))


def test_feed_items_name_their_author(client):
    ArticleFactory(author__name="Dana Novak")
    feed = ET.fromstring(client.get(reverse("news:feed")).content)
    creator = feed.find("channel/item/{http://purl.org/dc/elements/1.1/}creator")
    assert creator is not None and creator.text == "Dana Novak"


# The admin, as a member of the Editors group.


def test_an_editor_adds_an_author_then_a_story_by_them(editor_client, client):
    assert editor_client.get(reverse("admin:news_author_add")).status_code == 200
    response = editor_client.post(
        reverse("admin:news_author_add"),
        {
            "name": "Femi Adeyemi",
            "slug": "femi-adeyemi",
            "bio": "Writes about batteries.",
            "photo": image_upload("femi.jpg", width=600, height=600, exif=gps_exif()),
            "user": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    author = Author.objects.get(slug="femi-adeyemi")
    assert author.photo and not has_gps(default_storage.open(author.photo.name).read())
    found = editor_client.get(reverse("admin:news_author_changelist"), {"q": "femi"})
    assert "Femi Adeyemi" in found.text
    # The story form finds the author through autocomplete.
    lookup = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "fem", "app_label": "news", "model_name": "article", "field_name": "author"},
    )
    assert lookup.status_code == 200
    assert lookup.json()["results"] == [{"id": str(author.pk), "text": "Femi Adeyemi"}]
    response = editor_client.post(
        reverse("admin:news_article_add"),
        {
            "title": "Solid-state batteries, at last",
            "slug": "solid-state-batteries",
            "summary": "Short.",
            "author": author.pk,
            "status": "published",
            "published_at_0": "2020-01-01",
            "published_at_1": "10:00:00",
            "body": "Plain.",
            "hero_alt": "",
            "images-TOTAL_FORMS": 0,
            "images-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(slug="solid-state-batteries").author == author
    page = client.get(author.get_absolute_url()).text
    assert "Solid-state batteries, at last" in page and "Writes about batteries." in page


def test_an_editors_new_story_is_signed_by_their_own_author(editor_client):
    editor = User.objects.get(username="editor")
    AuthorFactory(name="Someone Else")
    mine = AuthorFactory(name="Chen Wei", user=editor)
    response = editor_client.get(reverse("admin:news_article_add"))
    assert response.context["adminform"].form.initial["author"] == mine.pk
    assert f'<option value="{mine.pk}" selected>Chen Wei</option>' in response.text


def test_a_story_form_without_a_linked_author_leaves_the_author_empty(editor_client):
    AuthorFactory(name="Someone Else")
    response = editor_client.get(reverse("admin:news_article_add"))
    assert "author" not in response.context["adminform"].form.initial


def test_an_editor_may_not_delete_an_author(editor_client):
    author = AuthorFactory()
    url = reverse("admin:news_author_delete", args=[author.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Author.objects.filter(pk=author.pk).exists()


def test_an_author_with_stories_cannot_be_deleted(db):
    from django.db.models import ProtectedError

    story = ArticleFactory()
    with pytest.raises(ProtectedError):
        story.author.delete()
