from django.contrib.sitemaps import views as sitemap_views
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

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
