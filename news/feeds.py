from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy

from .models import Article

FEED_ITEMS = 20
# Feed readers and shared caches may keep it this long (seconds); it carries nothing personal.
FEED_MAX_AGE = 900


class LatestArticlesFeed(Feed):
    """RSS 2.0: the newest published stories; two queries (stories, their tags)."""

    title = "Specwise news"
    link = reverse_lazy("news:article-list")
    description = "The latest tech news from Specwise."
    language = "en"

    def items(self):
        return Article.objects.published().for_cards().prefetch_related("tags")[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.author.name

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    # The guid is the item's link (Django's default): stable as long as the slug is.
    item_guid_is_permalink = True
