from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Brands, categories, the spec schema, devices and their photos; catalog pages."""

    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from core.demo import register_demo
        from core.sitemaps import register_sitemap

        from .demo import load_catalog
        from .sitemaps import BrandSitemap, DeviceSitemap, RankingSitemap

        register_sitemap("devices", DeviceSitemap)
        register_sitemap("brands", BrandSitemap)
        register_sitemap("rankings", RankingSitemap)
        register_demo("catalog", load_catalog)
