from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.admin import ContentAdmin

from .models import Article, Tag


@admin.register(Tag)
class TagAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ScheduleForm(forms.Form):
    published_at = forms.SplitDateTimeField(
        label="Publish at",
        widget=admin.widgets.AdminSplitDateTime,
        help_text="Server time zone. A time in the past publishes at once.",
    )


@admin.register(Article)
class ArticleAdmin(ContentAdmin):
    list_display = ["title", "state", "status", "published_at", "author"]
    list_filter = ["status", "tags"]
    date_hierarchy = "published_at"
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tags", "devices"]
    readonly_fields = ["preview"]
    actions = ["publish_now", "schedule"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "author"]}),
        ("Publishing", {"fields": ["status", "published_at"]}),
        ("Story", {"fields": ["body", "preview"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt"]}),
        ("Related", {"fields": ["tags", "devices"]}),
    ]

    @admin.display(description="State")
    def state(self, article):
        return article.state

    @admin.display(description="Preview of the saved body")
    def preview(self, article):
        if not article.body_html:
            return "Save the article to see the rendered body here."
        # body_html was sanitised on save (news.markdown): safe to show as HTML.
        return mark_safe(f'<div class="article-preview">{article.body_html}</div>')

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault(
            "author", request.user.get_full_name().strip() or request.user.get_username()
        )
        return initial

    @staticmethod
    def _publish(queryset, when):
        """Publish at ``when``; returns how many. The queryset bumps the content version."""
        return queryset.update(
            status=Article.Status.PUBLISHED, published_at=when, updated_at=timezone.now()
        )

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        count = self._publish(queryset, timezone.now())
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Schedule…", permissions=["change"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["published_at"]
            count = self._publish(queryset, when)
            verb = "Scheduled" if when > timezone.now() else "Published"
            self.message_user(
                request,
                f"{verb} {count} article(s) for {when:%Y-%m-%d %H:%M %Z}.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule articles",
            "opts": self.model._meta,
            "articles": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "news/admin_schedule.html", context)
