"""Sitemap sections of the catalog: devices, brands and rankings."""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max

from .models import Brand, Device, Ranking


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


class _OnePage(Paginator):
    @property
    def num_pages(self):
        return 1


class RankingSitemap(Sitemap):
    """Rankings are a few dozen at most: one page, which the index lists without a query
    (counting them or finding their latest change would cost /sitemap.xml two)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Ranking.objects.published().only("slug", "updated_at").order_by("order", "pk")

    def lastmod(self, item):
        return item.updated_at

    @property
    def paginator(self):
        return _OnePage(self.items(), self.limit)

    def get_latest_lastmod(self):
        return None
