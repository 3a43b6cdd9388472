from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def ensure_link_content_type(using=DEFAULT_DB_ALIAS, **kwargs):
    """Give the story-device link table its content type after every migrate.

    Django makes content types for models, not for many-to-many tables; a device's deletion
    keeps its links to stories as versions, which need one. Made on first use instead, in a
    transaction that then rolled back, its id would stay in the content type cache.
    """
    from django.contrib.contenttypes.models import ContentType

    from .models import Article

    ContentType.objects.db_manager(using).get_for_model(Article.devices.through)


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "News"

    def ready(self):
        from core.content import register_schedule
        from core.demo import register_demo
        from core.sitemaps import register_sitemap

        from .demo import load_stories
        from .models import Article
        from .sitemaps import ArticleSitemap, AuthorSitemap, TagSitemap

        # A story scheduled for later goes live by the clock: cached pages end then.
        register_schedule(Article, "published_at", status=Article.Status.PUBLISHED)
        register_sitemap("articles", ArticleSitemap)
        register_sitemap("tags", TagSitemap)
        register_sitemap("authors", AuthorSitemap)
        register_demo("stories", load_stories)
        post_migrate.connect(ensure_link_content_type, sender=self)
