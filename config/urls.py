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
    path("", include("news.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
