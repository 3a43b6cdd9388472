from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from catalog import search as device_search
from catalog.models import Device
from comparisons.compare import canonical_key
from comparisons.popular import popular_comparisons
from core import cards
from core.pagecache import cache_public_page, dont_store
from core.pagination import paginate
from core.text import meta_text

from .models import Article, Author, Tag
from .search import clean_query, search_articles

ARTICLES_PER_PAGE = 20
HOME_LATEST = 10
# Devices the search page lists; "See all" leads to the rest in the catalog.
SEARCH_DEVICES = 10
# The search page's stories: the best this many (the page says so when there may be more).
SEARCH_STORIES = 20


def _page(request, queryset):
    """The requested page of ``queryset``, without a notice: junk numbers give the first,
    ones past the end the last.

    Only a page asked for by its own number is kept by the page cache, so junk numbers
    add no entries.
    """
    raw = request.GET.get("page")
    page, _notice = paginate(queryset, raw, ARTICLES_PER_PAGE)
    if raw is not None and raw != str(page.number):
        dont_store(request)
    return page


@require_safe
@cache_public_page
def home(request):
    stories = list(Article.objects.published().for_cards()[: HOME_LATEST + 1])
    context = {
        "lead": stories[0] if stories else None,
        "latest": stories[1:],
        "popular_comparisons": popular_comparisons(),
        "latest_devices": Device.objects.with_key_specs()[:8],
    }
    return render(request, "news/home.html", context)


@require_safe
@cache_public_page(params=["page"])
def article_list(request):
    page = _page(request, Article.objects.published().for_cards().prefetch_related("tags"))
    return render(request, "news/article_list.html", {"page": page})


@require_safe
@cache_public_page(params=["page"])
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = tag.articles.published().for_cards().prefetch_related("tags")
    return render(request, "news/tag_detail.html", {"tag": tag, "page": _page(request, articles)})


@require_safe
@cache_public_page(params=["page"])
def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    # The page says whose stories these are: no byline to join.
    articles = author.articles.published().only(*Article.CARD_FIELDS).prefetch_related("tags")
    page = _page(request, articles)
    return render(request, "news/author_detail.html", {"author": author, "page": page})


@require_safe
@cache_public_page
def article_detail(request, slug):
    article = get_object_or_404(
        Article.objects.select_related("author").prefetch_related(
            "tags", Prefetch("devices", queryset=Device.objects.with_related().order_by("name"))
        ),
        slug=slug,
    )
    # Drafts and scheduled stories: a 404 for the public, a preview for editors.
    if not article.is_live and not request.user.has_perm("news.view_article"):
        raise Http404
    devices = list(article.devices.all())
    compare_key = ""
    if 2 <= len(devices) <= settings.COMPARE_MAX:
        compare_key = canonical_key(device.slug for device in devices)
    canonical_url = request.build_absolute_uri(article.get_absolute_url())
    context = {
        "article": article,
        "devices": devices,
        "compare_key": compare_key,
        "related": Article.objects.related_to(article),
        "canonical_url": canonical_url,
        "json_ld_data": _news_article_data(request, article, canonical_url, devices),
    }
    return render(request, "news/article_detail.html", context)


def _news_article_data(request, article, url, devices):
    """schema.org NewsArticle for the article page (uses prefetched tags)."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": meta_text(article.summary),
        "mainEntityOfPage": url,
        "url": url,
        "author": {
            "@type": "Person",
            "name": article.author.name,
            "url": request.build_absolute_uri(article.author.get_absolute_url()),
        },
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "dateModified": article.updated_at.isoformat(),
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    # The hero image, else the story's generated card.
    image = article.hero_page.url if article.hero_page else None
    image = image or reverse("news:article-card", args=[article.slug])
    data["image"] = [request.build_absolute_uri(image)]
    if devices:
        data["about"] = [
            {
                "@type": "Product",
                "name": device.name,
                "brand": {"@type": "Brand", "name": device.brand.name},
                "url": request.build_absolute_uri(device.get_absolute_url()),
            }
            for device in devices
        ]
    return data


@require_safe
@cache_public_page(params=["q"])
def search(request):
    query = clean_query(request.GET.get("q", ""))
    context = {
        "search_query": query,
        "articles": search_articles(query, limit=SEARCH_STORIES) if query else [],
        "stories_limit": SEARCH_STORIES,
        "found": device_search.find(query, SEARCH_DEVICES) if query else None,
    }
    return render(request, "news/search.html", context)


@require_safe
def article_card(request, slug):
    """A story's share card (its og:image when it has no hero image): drawn once per
    change of the story (see core.cards). Only published stories have one."""
    article = Article.objects.published().filter(slug=slug).for_cards().first()
    if article is None:
        raise Http404("No such story.")
    changed = Article.objects.filter(pk=article.pk).values_list("updated_at", flat=True).get()

    def draw():
        byline = f"By {article.author.name}"
        if article.published_at:
            byline += f" · {date_format(article.published_at, 'j F Y')}"
        return cards.draw_story(article.title, article.summary, byline)

    return cards.response(cards.stored_card("news", article.slug, changed.isoformat(), draw))
