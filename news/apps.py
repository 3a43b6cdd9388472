from django.apps import AppConfig


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
