from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from comparisons.models import Device


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@require_GET
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


@require_GET
def home(request):
    latest_devices = Device.objects.with_key_specs()[:8]
    return render(request, "news/home.html", {"latest_devices": latest_devices})


@require_GET
def article_list(request):
    raise Http404


@require_GET
def tag_detail(request, slug):
    raise Http404


@require_GET
def article_detail(request, slug):
    raise Http404


@require_GET
def search(request):
    raise Http404
