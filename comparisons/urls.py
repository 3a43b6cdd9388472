from django.urls import path

from . import views

app_name = "comparisons"

urlpatterns = [
    # Share cards: a device's sits under its page's URL, a comparison's under the comparison's.
    path("compare/<slug:key>/card.png", views.comparison_card, name="compare-card"),
    path("devices/<slug:slug>/card.png", views.device_card, name="device-card"),
    path("compare/", views.compare_list, name="compare"),
    path("compare/add/", views.compare_add, name="compare-add"),
    path("compare/remove/", views.compare_remove, name="compare-remove"),
    path("compare/clear/", views.compare_clear, name="compare-clear"),
    path("compare/undo/", views.compare_undo, name="compare-undo"),
    path("compare/find/", views.compare_find, name="compare-find"),
    path("compare/<slug:key>/", views.compare_shared, name="compare-shared"),
]
