"""/sitemap.xml is an index of one sitemap per section, each paginated by Django.

Stories and devices run to tens of thousands, past what one sitemap file may list, so each
section is its own file; the big sections count then fetch a page, the small ones are lists.
"""

from comparisons.sitemaps import BrandSitemap, DeviceSitemap
from news.sitemaps import ArticleSitemap, TagSitemap

SITEMAPS = {
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "devices": DeviceSitemap,
    "brands": BrandSitemap,
}
