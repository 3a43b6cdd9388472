from django.urls import path
from django.views.decorators.cache import cache_control

from . import views
from .feeds import FEED_MAX_AGE, LatestArticlesFeed

app_name = "news"

urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.article_list, name="article-list"),
    path(
        "news/feed/",
        cache_control(max_age=FEED_MAX_AGE, public=True)(LatestArticlesFeed()),
        name="feed",
    ),
    path("news/tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("news/author/<slug:slug>/", views.author_detail, name="author"),
    path("news/<slug:slug>/card.png", views.article_card, name="article-card"),
    path("news/<slug:slug>/", views.article_detail, name="article"),
    path("search/", views.search, name="search"),
]
