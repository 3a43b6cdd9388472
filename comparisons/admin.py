from django.contrib import admin

from .models import ComparisonCount


@admin.register(ComparisonCount)
class ComparisonCountAdmin(admin.ModelAdmin):
    list_display = ["key", "views", "updated_at"]
    search_fields = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
