"""Sitemap sections of the newsroom: published stories, and tags with published stories."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone

from .models import Article, Tag


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        live = Q(
            articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now()
        )
        return list(
            Tag.objects.annotate(latest=Max("articles__updated_at", filter=live))
            .filter(latest__isnull=False)
            .order_by("name")
        )

    def lastmod(self, item):
        return item.latest
