from collections import defaultdict
from datetime import date, datetime, time, timedelta

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
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
from core.admin import ConflictCheckedAdmin, RevisionHistoryAdmin, VersionedContentAdmin
from core.admin_lists import LargeTableAdmin, SelectRelatedFilter, SelectSimpleFilter
from core.timezones import times_are_in
from core.trash_admin import TrashAdmin

from .fulltext import naming, with_words
from .history import StoryHistory
from .markdown import remote_images, render_markdown, without_remote_images
from .models import Article, Author, StoryImage, Tag

# Uploads follow the site's image rules (core.images); a refusal names the file.
IMAGE_UPLOADS = {models.ImageField: {"form_class": images.ImageUploadField}}


@admin.register(Tag)
class TagAdmin(VersionedContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(VersionedContentAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "bio", "photo", "user"]
    formfield_overrides = IMAGE_UPLOADS


class ScheduleForm(forms.Form):
    """The time to publish the selected stories at and, if any of them is live, what
    becomes of it: a live story dated in the future is hidden until then."""

    TAKE_OFFLINE, KEEP_LIVE = "offline", "keep"

    published_at = forms.SplitDateTimeField(
        label="Publish at",
        widget=AdminSplitDateTime,
        help_text="A time in the past publishes at once.",
    )
    live = forms.ChoiceField(
        label="The live story",
        widget=forms.RadioSelect,
        choices=[
            (TAKE_OFFLINE, "Take it offline until then"),
            (KEEP_LIVE, "Keep it live and only change its date"),
        ],
        help_text=(
            "Taken offline, it leaves the site now and comes back at the new time. Kept live, "
            "it stays on the site showing the new date, which must then be a time that has "
            "passed: a date to come would hide it until then."
        ),
    )

    def __init__(self, *args, any_live=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not any_live:
            del self.fields["live"]

    def clean(self):
        cleaned = super().clean()
        when = cleaned.get("published_at")
        if cleaned.get("live") == self.KEEP_LIVE and when and when > timezone.now():
            self.add_error(
                "published_at",
                "A live story dated in the future is hidden until then. To keep it live, "
                "choose a time that has passed; to move it to this time, take it offline.",
            )
        return cleaned


class StateFilter(admin.SimpleListFilter):
    """Draft, Scheduled or Published (live), as Article.state tells them apart."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Published (live)")]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.drafts()
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
        return queryset


class PublishedYearFilter(SelectSimpleFilter):
    """The year a story is dated, every year from the newest story's to the oldest's: two
    reads of the index the list is ordered by, where the admin's date hierarchy read the
    dates of all 100,000 stories to list their years."""

    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        dated = Article.objects.filter(published_at__isnull=False).values_list(
            "published_at", flat=True
        )
        newest = dated.order_by("-published_at", "-id").first()
        if newest is None:
            return []
        oldest = dated.order_by("published_at", "id").first()
        years = range(timezone.localtime(newest).year, timezone.localtime(oldest).year - 1, -1)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if not (value and value.isdigit() and 1 <= int(value) <= 9999):
            return queryset
        zone = timezone.get_current_timezone()
        year = int(value)
        begin = datetime(year, 1, 1, tzinfo=zone)
        end = datetime(year + 1, 1, 1, tzinfo=zone) if year < 9999 else None
        queryset = queryset.filter(published_at__gte=begin)
        return queryset.filter(published_at__lt=end) if end else queryset


# The editorial calendar: this week and the next four, each story under its day; a day
# lists this many at most and links to the story list for the rest.
CALENDAR_WEEKS = 5
CALENDAR_PER_DAY = 20


class CalendarForm(forms.Form):
    # Bounded so that a week's neighbours and its days in any time zone are real dates.
    start = forms.DateField(
        required=False,
        validators=[MinValueValidator(date(1900, 1, 1)), MaxValueValidator(date(2999, 12, 31))],
    )


def _calendar_weeks(first):
    """CALENDAR_WEEKS weeks of dates from ``first`` (a Monday), and the aware datetimes in
    the current time zone at which they begin and end."""
    days = [first + timedelta(days=n) for n in range(7 * CALENDAR_WEEKS)]
    zone = timezone.get_current_timezone()
    begin = datetime.combine(days[0], time.min, tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    return [days[n : n + 7] for n in range(0, len(days), 7)], begin, end


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
        naming(Article.objects.all(), device)
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
class ArticleAdmin(LargeTableAdmin, ConflictCheckedAdmin, TrashAdmin, RevisionHistoryAdmin):
    history = StoryHistory
    list_display = ["title", "state", "status", "published_at", "author"]
    list_select_related = ["author"]
    # What a page of the list reads (core.admin_lists): not the bodies.
    list_columns = ["title", "status", "published_at", "author__name"]
    list_filter = [StateFilter, ("tags", SelectRelatedFilter), PublishedYearFilter]
    # Searched through the full-text index (get_search_results), not "contains".
    search_fields = ["title", "summary", "body"]
    search_help_text = "Finds stories whose title, summary or body has every word."
    # Each sort either way as an index keeps it (Article.Meta), ending with the id.
    sort_orders = {
        "title": ((F("title"), F("id")), (F("title").desc(), F("id").desc())),
        "status": (
            (F("status"), F("published_at").desc(), F("id").desc()),
            (F("status").desc(), F("published_at"), F("id")),
        ),
        "published_at": (
            (F("published_at"), F("id")),
            (F("published_at").desc(), F("id").desc()),
        ),
    }
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "tags", "devices"]
    readonly_fields = ["preview"]
    actions = ["publish_now", "schedule"]
    inlines = [StoryImageInline]
    formfield_overrides = IMAGE_UPLOADS
    # Adds the calendar link to the changelist of the template the base admin uses.
    change_list_template = "news/admin_article_change_list.html"
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
            path(
                "calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="{}_{}_calendar".format(*info),
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

    def get_search_results(self, request, queryset, search_term):
        """Every word in the title, summary or body, from the full-text index (news.fulltext):
        reading 100,000 bodies for "contains" took seconds."""
        if not search_term.strip():
            return queryset, False
        return with_words(queryset, search_term), False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        remote = remote_images(obj.body_html)
        if remote:
            self.message_user(request, _remote_warning(remote), messages.WARNING)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # Signed by the author whose staff account this is, if any.
        author = Author.objects.filter(user_id=request.user.pk).only("pk").first()
        if author is not None:
            initial.setdefault("author", author.pk)
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "published_at":
            formfield.help_text = f"{db_field.help_text} {times_are_in()}"
        return formfield

    def changelist_view(self, request, extra_context=None):
        base = super().change_list_template or "admin/change_list.html"
        return super().changelist_view(request, {"base_change_list": base, **(extra_context or {})})

    def calendar_view(self, request):
        """Stories by day over CALENDAR_WEEKS weeks from the week of ``?start=`` (this week
        by default), in the site's time zone: what is scheduled and what went out."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = CalendarForm(request.GET)
        today = timezone.localdate()
        start = (form.is_valid() and form.cleaned_data["start"]) or today
        first = start - timedelta(days=start.weekday())
        weeks, begin, end = _calendar_weeks(first)
        by_day = defaultdict(list)
        for story in Article.objects.on_calendar(begin, end, CALENDAR_PER_DAY + 1):
            by_day[story.day].append(story)
        span = timedelta(weeks=CALENDAR_WEEKS)
        context = {
            **self.admin_site.each_context(request),
            "title": "Editorial calendar",
            "opts": self.opts,
            "form": form,
            "today": today,
            "first": first,
            "last": end.date() - timedelta(days=1),
            "earlier": first - span,
            "later": first + span,
            "times_are_in": times_are_in(),
            "weeks": [
                [
                    (day, by_day[day][:CALENDAR_PER_DAY], len(by_day[day]) > CALENDAR_PER_DAY)
                    for day in week
                ]
                for week in weeks
            ],
        }
        return TemplateResponse(request, "news/admin_calendar.html", context)

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
        """Asks for a time, and first whether a live story among them goes offline until
        then; "Schedule" applies it."""
        articles = list(queryset.select_related(None).only("title", "status", "published_at"))
        live = [article for article in articles if article.is_live]
        form = ScheduleForm(request.POST if "apply" in request.POST else None, any_live=bool(live))
        if form.is_valid():
            when = form.cleaned_data["published_at"]
            later = when > timezone.now()
            moment = f"{timezone.localtime(when):%Y-%m-%d %H:%M %Z}"
            comment = f"{'Scheduled' if later else 'Published'} for {moment}"
            count = self._publish(queryset, when, comment)
            message = f"{'Scheduled' if later else 'Published'} {count} article(s) for {moment}"
            if live and later:
                message += f"; {len(live)} live article(s) taken offline until then"
            self.message_user(request, f"{message}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule articles",
            "opts": self.model._meta,
            "articles": articles,
            "live": live,
            "form": form,
            "times_are_in": times_are_in(),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "news/admin_schedule.html", context)
