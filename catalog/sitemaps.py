"""Sitemap sections of the catalog: devices, brands and rankings."""

from django.contrib.sitemaps import Sitemap
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


class RankingSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Ranking.objects.published().only("slug", "updated_at").order_by("order", "pk")

    def lastmod(self, item):
        return item.updated_at
