"""The story admin on a big newsroom (issue 17, point 5): search through the full-text
index, bounded queries on the list, its filters and sorts, a year filter read from the
index. Times are measured by `make bench BENCH_ARGS="--admin"`, never here."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from tests.factories import ArticleFactory, AuthorFactory, TagFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:news_article_changelist")
MAX_QUERIES = 15
TITLE, PUBLISHED_AT, AUTHOR = 1, 4, 5


def titles(response):
    return [story.title for story in response.context["cl"].result_list]


@pytest.fixture
def newsroom(db):
    """36 stories by 4 authors with 5 tags, over three years, two of them about batteries."""
    authors = [AuthorFactory() for _ in range(4)]
    tags = [TagFactory() for _ in range(5)]
    now = timezone.now()
    stories = []
    for n in range(36):
        story = ArticleFactory(
            title=f"Story {n:02d}",
            author=authors[n % 4],
            published_at=now - timedelta(days=40 * n),
            body="A quiet week for hinges and modems.",
        )
        story.tags.set(tags[: 1 + n % 5])
        stories.append(story)
    ArticleFactory(
        title="Batteries that last",
        body="The new cells hold their charge for two days.",
        summary="Battery life, measured.",
        author=authors[0],
    )
    ArticleFactory(
        title="A week with the phone",
        body="Its battery lasts; its hinge creaks. Battery first.",
        author=authors[1],
        status=Article.Status.DRAFT,
        published_at=None,
    )
    return {"authors": authors, "tags": tags, "stories": stories}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"p": "2"},
        {"q": "battery"},
        {"q": "hinges modems"},
        {"state": "draft"},
        {"state": "live"},
        {"tags__id__exact": "TAG"},
        {"year": "YEAR"},
        *({"o": str(column)} for column in (TITLE, 3, PUBLISHED_AT, AUTHOR)),
        *({"o": f"-{column}"} for column in (TITLE, 3, PUBLISHED_AT, AUTHOR)),
    ],
)
def test_every_list_page_stays_within_the_query_budget(
    editor_client, newsroom, monkeypatch, django_assert_max_num_queries, query
):
    monkeypatch.setattr(admin.site._registry[Article], "list_per_page", 10)
    values = {"TAG": newsroom["tags"][2].pk, "YEAR": timezone.localdate().year - 1}
    query = {key: values.get(value, value) for key, value in query.items()}
    with django_assert_max_num_queries(MAX_QUERIES):
        response = editor_client.get(LIST, query)
    assert response.status_code == 200
    assert titles(response)


def test_search_finds_every_word_in_title_summary_or_body_drafts_included(editor_client, newsroom):
    found = editor_client.get(LIST, {"q": "battery"})
    assert set(titles(found)) == {"Batteries that last", "A week with the phone"}
    assert "2 results" in found.text
    # Every word must be there; any form of it ("hinges" finds "hinge").
    assert titles(editor_client.get(LIST, {"q": "battery hinge"})) == ["A week with the phone"]
    assert len(titles(editor_client.get(LIST, {"q": "hinges modems"}))) == 36  # not the draft
    # Operators and quotes are words, not syntax; nothing to search for finds nothing.
    assert titles(editor_client.get(LIST, {"q": 'battery" OR "story'})) == []
    assert editor_client.get(LIST, {"q": "***"}).context["cl"].result_count == 0


def test_search_results_page_in_order(editor_client, newsroom, monkeypatch):
    monkeypatch.setattr(admin.site._registry[Article], "list_per_page", 10)
    expected = list(
        Article.objects.filter(body__icontains="hinge")  # "hinges" finds "hinge" too
        .order_by("-published_at", "-pk")
        .values_list("title", flat=True)
    )
    seen = []
    for page in (1, 2, 3, 4):
        response = editor_client.get(LIST, {"q": "hinges", "p": page})
        seen += titles(response)
    assert seen == expected
    assert len(expected) == 37 and "37 results" in response.text


def test_sorting_by_title_and_date_either_way(editor_client, newsroom):
    by_title = titles(editor_client.get(LIST, {"o": str(TITLE)}))
    assert by_title == sorted(by_title)
    assert titles(editor_client.get(LIST, {"o": f"-{TITLE}"})) == by_title[::-1]
    oldest = list(editor_client.get(LIST, {"o": str(PUBLISHED_AT)}).context["cl"].result_list)
    dates = [story.published_at for story in oldest if story.published_at]
    assert dates == sorted(dates)


def test_the_year_filter_offers_each_year_from_the_newest_story_to_the_oldest(
    editor_client, newsroom
):
    page = editor_client.get(LIST).text
    select = re.search(r'<select name="year".*?</select>', page, re.S).group()
    dates = Article.objects.exclude(published_at=None).values_list("published_at", flat=True)
    newest, oldest = (timezone.localtime(f(dates)).year for f in (max, min))
    assert re.findall(r'<option value="(\d+)"', select) == [
        str(year) for year in range(newest, oldest - 1, -1)
    ]
    year = oldest + 1
    shown = editor_client.get(LIST, {"year": year}).context["cl"].result_list
    expected = {
        story.title
        for story in Article.objects.exclude(published_at=None)
        if timezone.localtime(story.published_at).year == year
    }
    assert expected and {story.title for story in shown} == expected
    # A year starts at midnight in the site's time zone.
    assert datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
    assert editor_client.get(LIST, {"year": "nonsense"}).status_code == 200


def test_the_tag_filter_is_a_drop_down(editor_client, newsroom):
    tag = newsroom["tags"][4]
    page = editor_client.get(LIST).text
    select = re.search(r'<select name="tags__id__exact".*?</select>', page, re.S).group()
    assert f'<option value="{tag.pk}">{tag.name}</option>' in select
    tagged = editor_client.get(LIST, {"tags__id__exact": tag.pk}).context["cl"].result_list
    assert {story.title for story in tagged} == {
        story.title for story in newsroom["stories"] if tag in story.tags.all()
    }


def test_the_list_reads_no_bodies(editor_client, newsroom):
    rows = list(editor_client.get(LIST).context["cl"].result_list)
    assert rows and all({"body", "body_html"} <= row.get_deferred_fields() for row in rows)
