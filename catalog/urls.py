from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("devices/", views.device_list, name="device-list"),
    # Before devices/<slug>/ for clarity; two segments never match it anyway.
    path("devices/best/<slug:slug>/", views.ranking_detail, name="ranking"),
    path("devices/<slug:slug>/", views.device_detail, name="device"),
    path("brands/<slug:slug>/", views.brand_detail, name="brand"),
]
