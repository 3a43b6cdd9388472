"""Bylines become authors (news 0006–0008) without losing a story's byline, and back."""

import importlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from news.models import Article, Author
from news.search import search_articles

BEFORE = ("news", "0005_devices_from_catalog")
BYLINES = {
    "story-0": "Jane Doe",
    "story-1": "Tomás Ferreira",
    "story-2": "Jane Doe",
}
SEARCH_TRIGGERS = {"news_article_fts_insert", "news_article_fts_delete", "news_article_fts_update"}


def migrate_news(target=None):
    call_command("migrate", "news", *([target] if target else []), verbosity=0)


def search_triggers():
    """The search index's triggers on SQLite (None elsewhere: the index is a GIN index)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()} & SEARCH_TRIGGERS


@pytest.fixture
def site_before_authors(transactional_db):
    """The database at the last migration with bylines as text, holding BYLINES' stories as
    that migration's models wrote them; migrated to the newest state again afterwards."""
    migrate_news(BEFORE[1])
    try:
        apps = MigrationExecutor(connection).loader.project_state([BEFORE]).apps
        OldArticle = apps.get_model("news", "Article")
        for i, (slug, author) in enumerate(BYLINES.items()):
            OldArticle.objects.create(
                title=f"Wombat story {i}",
                slug=slug,
                summary="Summary.",
                body="Body.",
                author=author,
                status="published",
                published_at=timezone.now() - timedelta(hours=i + 1),
            )
        yield apps
    finally:
        migrate_news()


def test_bylines_become_one_author_each_and_come_back_when_migrating_back(site_before_authors):
    migrate_news()
    assert list(Author.objects.order_by("name").values_list("name", "slug")) == [
        ("Jane Doe", "jane-doe"),
        ("Tomás Ferreira", "tomas-ferreira"),
    ]
    stories = Article.objects.select_related("author")
    assert {story.slug: story.author.name for story in stories} == BYLINES
    # The search index still follows new stories (SQLite rebuilt the table).
    assert search_triggers() in (None, SEARCH_TRIGGERS)
    jane = Author.objects.get(slug="jane-doe")
    Article.objects.create(
        title="Wombat news", slug="new", summary="s", body="b", author=jane, status="published"
    )
    assert len(search_articles("wombat")) == 3  # the one without a date is not live
    Article.objects.filter(slug="new").delete()

    migrate_news(BEFORE[1])
    OldArticle = site_before_authors.get_model("news", "Article")
    assert dict(OldArticle.objects.values_list("slug", "author")) == BYLINES
    assert search_triggers() in (None, SEARCH_TRIGGERS)


def test_bylines_that_slugify_alike_get_distinct_slugs():
    migration = importlib.import_module("news.migrations.0007_authors_from_bylines")
    taken = {"jane-doe"}
    slugs = [migration._unique_slug(name, taken) for name in ["Jane Doe", "jane  doe", "李明"]]
    assert slugs == ["jane-doe-2", "jane-doe-3", "author"]
    assert migration._unique_slug("李明", taken) == "author-2"
