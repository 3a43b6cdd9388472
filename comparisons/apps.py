from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    """The visitor's compare list, comparison tables, rivals, popular comparisons, share
    images."""

    name = "comparisons"
    verbose_name = "Comparisons"

    def ready(self):
        from core.pagecache import register_visitor_key
        from core.search import register_device_popularity

        from .compare import page_cache_key
        from .popular import device_popularity

        # Pages show the visitor's list (widget, buttons): the page cache keys by it.
        register_visitor_key(page_cache_key)
        # Device search ranks devices compared more often first among equal matches.
        register_device_popularity(device_popularity)
