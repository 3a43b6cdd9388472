"""A draft or a scheduled story is nowhere public: lists, tags, feed, sitemap, search, devices."""

import pytest
from django.urls import reverse

from news.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def public_pages(hidden):
    return [
        reverse("news:home"),
        reverse("news:article-list"),
        hidden["tag"].get_absolute_url(),
        reverse("news:feed"),
        reverse("sitemap"),
        reverse("news:search") + "?q=zebracorn",
    ]


def test_hidden_stories_are_on_no_public_page(client, newsroom, hidden_stories):
    for url in public_pages(hidden_stories):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Zebracorn" not in text, url
        for article in (hidden_stories["draft"], hidden_stories["future"]):
            assert article.get_absolute_url() not in text, url


def test_hidden_stories_are_not_related_news_anywhere(newsroom, hidden_stories):
    device = hidden_stories["device"]
    assert Article.objects.newest_about([device], 5) == []
    story = newsroom["articles"][0]
    story.tags.add(hidden_stories["tag"])
    story.devices.add(device)
    related = Article.objects.related_to(Article.objects.get(pk=story.pk), limit=50)
    assert hidden_stories["draft"] not in related
    assert hidden_stories["future"] not in related


def test_device_page_does_not_list_hidden_stories(client, hidden_stories):
    # The device page belongs to the catalog; it must use Article.objects.published().
    device = hidden_stories["device"]
    ArticleFactory(title="Gadget launch story", devices=[device])
    response = client.get(device.get_absolute_url())
    assert response.status_code == 200
    assert "Gadget launch story" in response.text  # the page does list its news
    assert "Zebracorn" not in response.text


def test_hidden_stories_become_public_once_published(client, hidden_stories, committed):
    draft = hidden_stories["draft"]
    draft.status = Article.Status.PUBLISHED
    draft.published_at = draft.created_at
    with committed():
        draft.save()
    assert "Zebracorn draft story" in client.get(reverse("news:article-list")).text
    assert "Zebracorn draft story" in client.get(reverse("news:feed")).text
    sitemap = client.get(reverse("sitemap-section", args=["articles"])).text
    assert draft.get_absolute_url() in sitemap
