from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("devices/", views.device_list, name="device-list"),
    path("devices/<slug:slug>/", views.device_detail, name="device"),
    path("brands/<slug:slug>/", views.brand_detail, name="brand"),
]
