import reversion
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core import images
from core.admin import RevisionHistoryAdmin, VersionedContentAdmin

from .history import StoryHistory
from .markdown import remote_images
from .models import Article, StoryImage, Tag

# Uploads follow the site's image rules (core.images); a refusal names the file.
IMAGE_UPLOADS = {models.ImageField: {"form_class": images.ImageUploadField}}


@admin.register(Tag)
class TagAdmin(VersionedContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ScheduleForm(forms.Form):
    published_at = forms.SplitDateTimeField(
        label="Publish at",
        widget=admin.widgets.AdminSplitDateTime,
        help_text="Server time zone. A time in the past publishes at once.",
    )


class StoryImageInline(admin.TabularInline):
    """Images for the story's body: upload one, save, and copy the Markdown shown beside it
    into the body. They come from the site's own media, so the security policy shows them."""

    model = StoryImage
    formset = images.ImageInlineFormSet
    fields = ["image", "alt", "markdown"]
    readonly_fields = ["markdown"]
    extra = 1
    formfield_overrides = IMAGE_UPLOADS
    verbose_name = "image for the story"
    verbose_name_plural = "images for the story (save, then paste the Markdown into the body)"

    @admin.display(description="Markdown to paste")
    def markdown(self, story_image):
        if not story_image.pk:
            return "Shown once the image is saved."
        return format_html(
            '<input type="text" readonly value="{}" size="50" aria-label="Markdown for {}">',
            story_image.markdown,
            story_image.alt,
        )


def _remote_warning(sources):
    """What the editor reads about images from other sites (the CSP blocks them)."""
    return (
        f"{len(sources)} image(s) in the story come from another site and will show as broken: "
        "the site only shows its own images. Upload them under “Images for the story” and "
        "paste the Markdown given there instead."
    )


@admin.register(Article)
class ArticleAdmin(RevisionHistoryAdmin):
    history = StoryHistory
    list_display = ["title", "state", "status", "published_at", "author"]
    list_filter = ["status", "tags"]
    date_hierarchy = "published_at"
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tags", "devices"]
    readonly_fields = ["preview"]
    actions = ["publish_now", "schedule"]
    inlines = [StoryImageInline]
    formfield_overrides = IMAGE_UPLOADS
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
        body = mark_safe(f'<div class="article-preview">{article.body_html}</div>')
        remote = remote_images(article.body_html)
        if not remote:
            return body
        return format_html(
            '<div class="article-preview-warning" role="alert"><p><strong>{}</strong></p>'
            "<ul>{}</ul></div>{}",
            _remote_warning(remote),
            format_html_join("", "<li><code>{}</code></li>", ((src,) for src in remote)),
            body,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        remote = remote_images(obj.body_html)
        if remote:
            self.message_user(request, _remote_warning(remote), messages.WARNING)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault(
            "author", request.user.get_full_name().strip() or request.user.get_username()
        )
        return initial

    @staticmethod
    def _publish(queryset, when, comment):
        """Publish at ``when``, in one revision holding each article with ``comment``;
        returns how many. The queryset bumps the content version."""
        with reversion.create_revision():
            count = queryset.update(
                status=Article.Status.PUBLISHED, published_at=when, updated_at=timezone.now()
            )
            # update() sends no signal: the articles join the revision by name.
            for article in queryset.all():
                reversion.add_to_revision(article)
            reversion.set_comment(comment)
        return count

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        count = self._publish(queryset, timezone.now(), "Published now")
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Schedule…", permissions=["change"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["published_at"]
            verb = "Scheduled" if when > timezone.now() else "Published"
            moment = f"{when:%Y-%m-%d %H:%M %Z}"
            count = self._publish(queryset, when, f"{verb} for {moment}")
            self.message_user(request, f"{verb} {count} article(s) for {moment}.", messages.SUCCESS)
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
