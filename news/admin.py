from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from catalog.admin import DEVICE_CHANGE_SECTIONS
from catalog.models import Device
from core import images
from core.admin import VersionedContentAdmin

from .markdown import remote_images, render_markdown, without_remote_images
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


def body_preview(body_html):
    """(warning, body) as the article form shows a rendered body: the list of images from
    other sites, and the body's HTML as published, those images shown broken but not
    fetched."""
    remote = remote_images(body_html)
    warning = ""
    if remote:
        warning = format_html(
            '<div class="article-preview-warning"><p><strong>{}</strong></p><ul>{}</ul></div>',
            _remote_warning(remote),
            format_html_join("", "<li><code>{}</code></li>", ((src,) for src in remote)),
        )
    # body_html comes from render_markdown (sanitised): safe to show as HTML.
    return warning, mark_safe(without_remote_images(body_html))


class LinkDeviceForm(forms.Form):
    device = forms.ModelChoiceField(Device.objects.select_related("brand"))


# Stories named on a device's admin page, at most.
NAMING_STORIES = 20


def stories_naming(request, device):
    """The device page's section "Stories that mention this name but are not linked",
    for editors who may see stories; one query."""
    opts = Article._meta
    if not request.user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}"):
        return ""
    stories = list(
        Article.objects.naming(device)
        .only("title", "mentions", "status", "published_at")
        .order_by("-pk")[:NAMING_STORIES]
    )
    if not stories:
        return ""
    change = f"{opts.app_label}.{get_permission_codename('change', opts)}"
    context = {"device": device, "stories": stories, "can_link": request.user.has_perm(change)}
    return render_to_string("admin/news/stories_naming.html", context, request=request)


DEVICE_CHANGE_SECTIONS.append(stories_naming)


@admin.register(Article)
class ArticleAdmin(VersionedContentAdmin):
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
        ("Related", {"fields": ["tags", "devices", "mentions"]}),
    ]

    class Media:
        css = {"all": ["css/admin-preview.css"]}
        js = ["js/admin-preview.js"]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "<path:object_id>/link-device/",
                self.admin_site.admin_view(self.link_device_view),
                name="{}_{}_link_device".format(*info),
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def preview_view(self, request):
        """The unsaved body rendered as it would be published (the form's live preview)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        html = render_markdown(request.POST.get("body", ""))
        remote = remote_images(html)
        warning, body = body_preview(html)
        return JsonResponse(
            {
                "html": html,
                "remote_images": remote,
                "warning": _remote_warning(remote) if remote else "",
                "preview": {"warning": warning, "body": body},
            }
        )

    @method_decorator(require_POST)
    def link_device_view(self, request, object_id):
        """Link a device to the story from the device's page (stories_naming)."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        form = LinkDeviceForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest("Choose a device to link.")
        device = form.cleaned_data["device"]
        with transaction.atomic(), self.create_revision(request):
            article.link_device(device)
            self.log_change(request, article, f"Linked the device “{device}”.")
        self.message_user(request, f"“{article}” now links the {device}.", messages.SUCCESS)
        return redirect(reverse(f"{self.admin_site.name}:catalog_device_change", args=[device.pk]))

    @admin.display(description="State")
    def state(self, article):
        return article.state

    @admin.display(description="Preview")
    def preview(self, article):
        """The saved body; static/js/admin-preview.js replaces it with the typed one."""
        url = reverse(f"{self.admin_site.name}:news_article_preview")
        if article.body_html:
            status = "As last saved."
            warning, body = body_preview(article.body_html)
        else:
            status, warning, body = "", "", "Save the article to see the rendered body here."
        return format_html(
            '<div class="article-preview-live" data-preview-url="{}">'
            '<p class="article-preview-status" role="status">{}</p>'
            '<div class="article-preview-warnings">{}</div>'
            '<div class="article-preview">{}</div></div>',
            url,
            status,
            warning,
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
