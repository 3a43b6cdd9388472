from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "Specwise editors"
admin.site.site_title = "Specwise admin"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots-txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("sitemap.xml", core_views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", core_views.sitemap_section, name="sitemap-section"),
    path("admin/", admin.site.urls),
    path("", include("comparisons.urls")),
    path("", include("catalog.urls")),
    path("", include("news.urls")),
]

# Media on this machine's disk are served by the site itself, DEBUG or not (make serve);
# on S3-compatible storage their URLs point there instead.
if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage") and "://" not in (
    settings.MEDIA_URL
):
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.insert(0, path(f"{media_prefix}<path:name>", core_views.media, name="media"))
