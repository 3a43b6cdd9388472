import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils._os import safe_join
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from . import images
from .sitemaps import SITEMAPS

# What carries nothing personal may be kept by browsers and shared caches for a while.
PUBLIC_MAX_AGE = 3600


@require_safe
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that link no icon (the admin)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /compare/add/",
        "Disallow: /compare/remove/",
        "Disallow: /compare/clear/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE, public=True)
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section")


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE, public=True)
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


# Media are images only: anything else in MEDIA_ROOT is never served (no HTML, no SVG).
MEDIA_TYPES = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif"}
# A content-hash name never changes content; other names (older uploads) may, in a day.
MEDIA_MAX_AGE, OTHER_MEDIA_MAX_AGE = 365 * 24 * 3600, 24 * 3600


@require_safe
def media(request, name):
    """A file of MEDIA_ROOT, for a site that keeps its media on its own disk: Django serves
    media only with DEBUG on, and ``make serve`` runs without. Hashed names are cached for a
    year (``immutable``), HEAD gets the headers alone, If-Modified-Since a 304."""
    try:
        path = Path(safe_join(settings.MEDIA_ROOT, name))
    except SuspiciousFileOperation:
        raise Http404("No such file") from None
    if path.suffix.lower() not in MEDIA_TYPES or not path.is_file():
        raise Http404("No such file")
    stat = path.stat()
    if not was_modified_since(request.headers.get("If-Modified-Since"), stat.st_mtime):
        response = HttpResponseNotModified()
    elif request.method == "HEAD":
        # Streaming (and empty), so the HEAD handling in SiteHeadersMiddleware keeps this
        # Content-Length rather than measuring an empty body.
        response = StreamingHttpResponse((), content_type=mimetypes.guess_type(path.name)[0])
        response["Content-Length"] = stat.st_size
    else:
        response = FileResponse(path.open("rb"), content_type=mimetypes.guess_type(path.name)[0])
    response["Last-Modified"] = http_date(stat.st_mtime)
    if images.is_hashed(name):
        patch_cache_control(response, public=True, max_age=MEDIA_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=OTHER_MEDIA_MAX_AGE)
    return response
