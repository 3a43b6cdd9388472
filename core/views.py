from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

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
    media only with DEBUG on, and ``make serve`` runs without. Django's static ``serve``
    answers (safe paths, Last-Modified, a 304 for If-Modified-Since); images only, and
    hashed names are cached for a year (``immutable``)."""
    if PurePosixPath(name).suffix.lower() not in MEDIA_TYPES:
        raise Http404("No such file")
    try:
        response = serve(request, name, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:
        raise Http404("No such file") from None
    if images.is_hashed(name):
        patch_cache_control(response, public=True, max_age=MEDIA_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=OTHER_MEDIA_MAX_AGE)
    return response
