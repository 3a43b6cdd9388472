"""/sitemap.xml: published stories, tags with published stories, devices, brands.

Six queries at most: the two big sections (stories, devices) count then fetch a
page; tags and brands are lists (fetched once, no count query).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone

from comparisons.models import Brand, Device

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


class DeviceSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Device.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class BrandSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return list(
            Brand.objects.annotate(latest=Max("devices__updated_at")).only("slug").order_by("name")
        )

    def lastmod(self, item):
        return item.latest


SITEMAPS = {
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "devices": DeviceSitemap,
    "brands": BrandSitemap,
}
