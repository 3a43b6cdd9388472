"""Every news page runs at most 8 queries, with 32 stories of 2 tags and 3 devices each."""

import pytest
from django.conf import settings
from django.urls import reverse

from comparisons import compare
from comparisons.models import ComparisonCount

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["no-list", "with-list"])
def visitor(request, client, newsroom):
    """A visitor without a compare list, and one with a full list (the widget's query)."""
    devices = newsroom["devices"]
    for i in range(6):  # popular comparisons on the home page
        key = compare.canonical_key([devices[i].slug, devices[i + 1].slug])
        ComparisonCount.objects.create(key=key, views=10 - i)
    if request.param == "with-list":
        token = compare.new_token()
        for device in newsroom["devices"][: settings.COMPARE_MAX]:
            compare.add(token, device)
        client.cookies[settings.COMPARE_COOKIE_NAME] = compare.sign_token(token)
    return client


def news_pages(newsroom):
    """[(url, a text the page must show)]."""
    article = newsroom["articles"][5]
    newest = ">Published story 0<"
    return [
        (reverse("news:home"), newest),
        (reverse("news:article-list"), newest),
        (reverse("news:article-list") + "?page=2", ">Published story 20<"),
        (newsroom["tags"][0].get_absolute_url(), newest),
        (article.get_absolute_url(), f">{article.title}<"),
        (article.author.get_absolute_url(), f">{article.title}<"),
        (
            reverse("news:search") + "?q=published+story",
            'News <span class="muted small">(the 20 best matches)',
        ),
        (reverse("news:search") + "?q=handset", 'class="found-count">12<'),
        (reverse("news:feed"), "<title>Published story 0</title>"),
        (reverse("sitemap"), "<loc>http://testserver/sitemap-articles.xml</loc>"),
    ]


def test_news_pages_stay_within_the_query_budget(visitor, newsroom, django_assert_max_num_queries):
    for url, shown in news_pages(newsroom):
        with django_assert_max_num_queries(8, info=url):
            response = visitor.get(url)
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url


def test_budget_holds_for_a_staff_preview(
    client, newsroom, hidden_stories, django_assert_max_num_queries
):
    from django.contrib.auth.models import User

    from core.editors import EDITORS_GROUP, apply_roles

    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(apply_roles()[EDITORS_GROUP])
    client.force_login(editor)
    # A visitor's page, plus the editor's session, user and (two) permission lookups, minus
    # the content version (previews are never cached).
    with django_assert_max_num_queries(11):
        response = client.get(hidden_stories["draft"].get_absolute_url())
    assert response.status_code == 200
    assert ">Zebracorn draft story<" in response.text
