from django.contrib.sitemaps import Sitemap

from comparisons.models import Device


class DeviceSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Device.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"devices": DeviceSitemap}
