import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from tests.factories import ArticleFactory, DeviceFactory, TagFactory

pytestmark = pytest.mark.django_db


def json_ld(response):
    found = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.text, re.S
    )
    return json.loads(found.group(1))


def test_home_shows_the_lead_story_and_the_latest_news(client, newsroom):
    response = client.get(reverse("news:home"))
    assert response.status_code == 200
    assert response.context["lead"].title == "Published story 0"
    assert [a.title for a in response.context["latest"]][:2] == [
        "Published story 1",
        "Published story 2",
    ]
    assert "Top story" in response.text
    assert "Handset" in response.text  # catalog highlights


def test_home_without_stories_says_so(client, db):
    response = client.get(reverse("news:home"))
    assert response.status_code == 200
    assert "No stories yet" in response.text


def test_news_list_has_20_stories_per_page(client, newsroom):
    first = client.get(reverse("news:article-list"))
    second = client.get(reverse("news:article-list"), {"page": 2})
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 12
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text


@pytest.mark.parametrize("junk", ["0", "-1", "999", "abc", "1e9", "", "2.5", "9" * 40, "%00"])
def test_junk_page_numbers_never_fail(client, newsroom, junk):
    response = client.get(reverse("news:article-list"), {"page": junk})
    assert response.status_code == 200
    assert response.context["page"].object_list


def test_tag_page_lists_its_stories(client, newsroom):
    tag = newsroom["tags"][0]
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    titles = {a.title for a in response.context["page"].object_list}
    assert titles == {a.title for a in tag.articles.all()}
    assert client.get(reverse("news:tag", args=["no-such-tag"])).status_code == 404


def test_unknown_article_is_a_404(client, db):
    assert client.get(reverse("news:article", args=["nope"])).status_code == 404


def test_article_page_shows_the_story_devices_and_read_more(client):
    phone = DeviceFactory(name="Nothing Phone (2)", slug="nothing-phone-2")
    chip = DeviceFactory(name="Snapdragon 8+ Gen 1", slug="qualcomm-snapdragon-8-plus-gen-1")
    tag = TagFactory(name="Software update")
    article = ArticleFactory(
        title="Phone update",
        summary="Short summary.",
        author__name="Sam Writer",
        body="## What is new\n\n- **ChatGPT**",
        tags=[tag],
        devices=[phone, chip],
    )
    others = [ArticleFactory(devices=[phone]) for _ in range(4)]
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    assert "<h1>Phone update</h1>" in html
    assert 'By <a href="/news/author/sam-writer/" rel="author">Sam Writer</a>' in html
    assert "<time datetime=" in html
    assert "<h2>What is new</h2>" in html and "<strong>ChatGPT</strong>" in html
    assert f'href="{tag.get_absolute_url()}"' in html
    assert "Devices in this story" in html
    assert html.count('data-compare-button="nothing-phone-2"') == 1
    shared = reverse(
        "comparisons:compare-shared", args=["nothing-phone-2-vs-qualcomm-snapdragon-8-plus-gen-1"]
    )
    assert f'href="{shared}"' in html and "Compare these" in html
    related = response.context["related"]
    assert len(related) == 3 and set(related) <= set(others)
    assert "Read more" in html
    # The compare widget still follows the article.
    assert html.index("Read more") < html.index("Your compare list")
    assert 'rel="canonical" href="http://testserver/news/phone-update/"' in html


def test_compare_these_needs_two_to_compare_max_devices(client, settings):
    settings.COMPARE_MAX = 2
    one = ArticleFactory(devices=[DeviceFactory()])
    three = ArticleFactory(devices=[DeviceFactory(), DeviceFactory(), DeviceFactory()])
    assert "Compare these" not in client.get(one.get_absolute_url()).text
    assert "Compare these" not in client.get(three.get_absolute_url()).text


def test_article_page_has_opengraph_and_news_article_json_ld(client):
    article = ArticleFactory(title="Big <news>", summary="It happened.", author__name="Ann")
    response = client.get(article.get_absolute_url())
    html = response.text
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Big &lt;news&gt;">' in html
    assert '<meta property="og:description" content="It happened.">' in html
    assert f'<meta property="og:url" content="http://testserver{article.get_absolute_url()}">' in (
        html
    )
    # No hero: the story's generated share card.
    card = f"http://testserver{article.get_absolute_url()}card.png"
    assert f'<meta property="og:image" content="{card}">' in html
    data = json_ld(response)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Big <news>"
    assert data["author"] == {
        "@type": "Person",
        "name": "Ann",
        "url": "http://testserver/news/author/ann/",
    }
    assert data["datePublished"] == article.published_at.isoformat()


def test_draft_is_a_404_for_the_public_and_a_preview_for_editors(client, hidden_stories):
    for article in (hidden_stories["draft"], hidden_stories["future"]):
        assert client.get(article.get_absolute_url()).status_code == 404
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(editor)
    for article in (hidden_stories["draft"], hidden_stories["future"]):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Preview — not published" in response.text
    live = ArticleFactory()
    assert "Preview — not published" not in client.get(live.get_absolute_url()).text


def test_a_logged_in_non_staff_user_cannot_preview(client, hidden_stories):
    client.force_login(User.objects.create_user("reader", password="pw"))
    assert client.get(hidden_stories["draft"].get_absolute_url()).status_code == 404


def test_staff_without_the_right_to_view_articles_cannot_preview(client, hidden_stories):
    client.force_login(User.objects.create_user("catalog", password="pw", is_staff=True))
    assert client.get(hidden_stories["draft"].get_absolute_url()).status_code == 404


def test_an_edit_shows_at_the_next_request(client, committed):
    article = ArticleFactory(title="Before the edit")
    assert "Before the edit" in client.get(reverse("news:home")).text
    article.title = "After the edit"
    with committed():
        article.save()
    home = client.get(reverse("news:home")).text
    assert "After the edit" in home and "Before the edit" not in home
    article.status = Article.Status.DRAFT
    with committed():
        article.save()
    assert "After the edit" not in client.get(reverse("news:home")).text
    assert client.get(article.get_absolute_url()).status_code == 404


def test_pages_render_hero_images_with_alt_text(client, tmp_path):
    from tests.news.test_models import jpeg

    article = ArticleFactory(hero_image=jpeg(1600, 900), hero_alt="A red car")
    html = client.get(article.get_absolute_url()).text
    assert f'src="{article.hero_page.url}" alt="A red car"' in html
    assert "og:image" in html
    assert f'src="{article.hero_card.url}" alt="A red car"' in client.get("/").text


def test_scheduled_story_appears_once_due(client, monkeypatch):
    now = timezone.now()
    ArticleFactory(title="Timed story", published_at=now + timedelta(hours=1))
    assert "Timed story" not in client.get(reverse("news:article-list")).text
    # Time passes; nothing is saved. The page (cached or not) must show the story now.
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1, seconds=1))
    assert "Timed story" in client.get(reverse("news:article-list")).text


def test_a_long_summary_with_line_breaks_is_one_short_line_in_meta_og_and_json_ld(client):
    summary = (
        "Xiaomi wants to be\na top-five carmaker.\r\n\r\nLei Jun explains how,\t"
        "and why software matters most. "
    ) + "Stores, chips and cars all connect. " * 10
    assert len(summary) > 400
    article = ArticleFactory(title="Xiaomi cars", summary=summary)
    response = client.get(article.get_absolute_url())
    html = response.text
    meta = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    og = re.search(r'<meta property="og:description" content="([^"]*)">', html).group(1)
    for text in (meta, og, json_ld(response)["description"]):
        assert text.startswith("Xiaomi wants to be a top-five carmaker. Lei Jun explains how, and")
        assert "\n" not in text and "\t" not in text and "  " not in text
        assert len(text) <= 160
        assert text.endswith("…")
        assert not text[:-1].endswith(" ")


def test_meta_description_counts_an_ampersand_as_one_character(client):
    summary = "Q&A: " + "Lei Jun & Adam Zeng on cars & phones. " * 8
    article = ArticleFactory(title="Q and A", summary=summary)
    html = client.get(article.get_absolute_url()).text
    meta = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert meta.startswith("Q&amp;A: Lei Jun &amp; Adam Zeng")
    assert len(meta.replace("&amp;", "&")) <= 160
    # Never half an entity at the cut.
    assert re.search(r"&(?!amp;)", meta) is None
