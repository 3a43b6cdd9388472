from django.contrib.syndication.views import Feed

from .models import Article


class LatestArticlesFeed(Feed):
    title = "Specwise news"
    link = "/news/"
    description = "The latest tech news from Specwise."

    def items(self):
        return Article.objects.published()[:20]

    def item_description(self, item):
        return item.summary
