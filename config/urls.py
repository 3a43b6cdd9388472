from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from news import views as news_views
from news.sitemaps import SITEMAPS

admin.site.site_header = "Specwise editors"
admin.site.site_title = "Specwise admin"

urlpatterns = [
    path("healthz", news_views.healthz, name="healthz"),
    path("robots.txt", news_views.robots_txt, name="robots-txt"),
    path("favicon.ico", news_views.favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
    path("", include("comparisons.urls")),
    path("", include("news.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
