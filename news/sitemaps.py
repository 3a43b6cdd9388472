"""Sitemap sections of the newsroom: published stories, and the tags and authors of
published stories."""

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone

from .models import Article, Author, Tag


def _live_stories():
    """Published and due (Article.objects.published()), on a tag's or author's stories."""
    return Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now())


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at


class ListedSitemap(Sitemap):
    """A section short enough to list whole, with the latest change of each row as
    ``latest``. Read once per request: the index asks for the items twice (for the page
    count and for the section's last change), and Django makes a sitemap per request."""

    changefreq = "daily"
    priority = 0.4

    def rows(self):
        raise NotImplementedError

    @cached_property
    def _rows(self):
        return list(self.rows())

    def items(self):
        return self._rows

    def lastmod(self, item):
        return item.latest


class TagSitemap(ListedSitemap):
    def rows(self):
        return (
            Tag.objects.annotate(latest=Max("articles__updated_at", filter=_live_stories()))
            .filter(latest__isnull=False)
            .order_by("name")
        )


class AuthorSitemap(ListedSitemap):
    """Authors with at least one published story."""

    def rows(self):
        return (
            Author.objects.annotate(latest=Max("articles__updated_at", filter=_live_stories()))
            .filter(latest__isnull=False)
            .order_by("name")
        )
