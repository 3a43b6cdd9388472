from django.urls import path

from . import compare_views, views

app_name = "comparisons"

urlpatterns = [
    # Share cards first: "compare/<key>/" below would not match them, but reads as if it might.
    path("compare/<slug:key>/card.png", views.comparison_card, name="compare-card"),
    path("devices/<slug:slug>/card.png", views.device_card, name="device-card"),
    path("devices/", views.device_list, name="device-list"),
    path("devices/<slug:slug>/", views.device_detail, name="device"),
    path("brands/<slug:slug>/", views.brand_detail, name="brand"),
    path("compare/", compare_views.compare_list, name="compare"),
    path("compare/add/", compare_views.compare_add, name="compare-add"),
    path("compare/remove/", compare_views.compare_remove, name="compare-remove"),
    path("compare/clear/", compare_views.compare_clear, name="compare-clear"),
    path("compare/undo/", compare_views.compare_undo, name="compare-undo"),
    path("compare/find/", compare_views.compare_find, name="compare-find"),
    path("compare/<slug:key>/", compare_views.compare_shared, name="compare-shared"),
]
