import logging
from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageOps

from comparisons.models import Device
from core.content import ContentModel, ContentQuerySet

from .markdown import render_markdown

logger = logging.getLogger(__name__)

# Hero renditions: (field name, width in px).
HERO_SIZES = (("hero_card", 640), ("hero_page", 1280))


class Tag(ContentModel):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:tag", args=[self.slug])


class ArticleQuerySet(ContentQuerySet):
    def published(self):
        """Published and due: the only articles any public page, feed or search may show."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def next_due_query(self):
        """``published_at`` of scheduled stories, soonest first (``.first()`` runs it)."""
        return (
            self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
        )

    def for_cards(self):
        """Only the columns a card or a list item shows (no body)."""
        return self.only(
            "title", "slug", "summary", "author", "published_at", "hero_card", "hero_alt"
        )

    def for_device(self, device):
        """Published stories that mention ``device``, newest first (device pages)."""
        return self.published().filter(devices=device).for_cards()

    def for_brand(self, brand):
        """Published stories that mention any of ``brand``'s devices, newest first.

        A subquery over the link table rather than a join, so each story comes once
        without DISTINCT and the planner starts from the brand's devices.
        """
        links = Article.devices.through.objects.filter(device__brand=brand)
        return self.published().filter(pk__in=links.values("article_id")).for_cards()

    def related_to(self, article, limit=3):
        """Up to ``limit`` published stories ranked by shared devices, shared tags, recency.

        Hides one or two queries: stories sharing a device or a tag, ranked by the counts
        of both; if fewer than ``limit`` share anything, the newest others fill the rest.
        Reads ``article.devices``/``article.tags`` (prefetch them to save two queries).
        """
        device_ids = [device.pk for device in article.devices.all()]
        tag_ids = [tag.pk for tag in article.tags.all()]
        base = self.published().exclude(pk=article.pk).for_cards()
        related = []
        if device_ids or tag_ids:
            device_links = Article.devices.through.objects.filter(device_id__in=device_ids)
            tag_links = Article.tags.through.objects.filter(tag_id__in=tag_ids)

            def shared(links):
                return Coalesce(
                    Subquery(
                        links.filter(article_id=OuterRef("pk"))
                        .values("article_id")
                        .annotate(n=Count("*"))
                        .values("n"),
                        output_field=IntegerField(),
                    ),
                    Value(0),
                )

            # Candidates first, so the ranking only scans stories that share something.
            related = list(
                base.filter(
                    Q(pk__in=device_links.values("article_id"))
                    | Q(pk__in=tag_links.values("article_id"))
                )
                .annotate(shared_devices=shared(device_links), shared_tags=shared(tag_links))
                .order_by(
                    "-shared_devices",
                    "-shared_tags",
                    F("published_at").desc(nulls_last=True),
                    "-pk",
                )[:limit]
            )
        if len(related) < limit:
            related += list(base.exclude(pk__in=[a.pk for a in related])[: limit - len(related)])
        return related


class Article(ContentModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(
        max_length=500, help_text="One or two sentences for cards and feeds."
    )
    body = models.TextField(help_text="Markdown. Raw HTML is shown as text.")
    # Rendered and sanitised from ``body`` on save, so a page view never parses Markdown.
    body_html = models.TextField(editable=False, blank=True)
    hero_image = models.ImageField(upload_to="news/", blank=True)
    hero_alt = models.CharField("hero image description", max_length=200, blank=True)
    # Smaller copies of hero_image made on save, for cards and the article page.
    hero_card = models.ImageField(upload_to="news/cards/", blank=True, editable=False)
    hero_page = models.ImageField(upload_to="news/pages/", blank=True, editable=False)
    author = models.CharField(max_length=100)
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    devices = models.ManyToManyField(
        Device, related_name="articles", blank=True, verbose_name="devices mentioned"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="A future time schedules the article."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # published(): status filter then newest first.
            models.Index(fields=["status", "-published_at"], name="article_published"),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # What hero_image was when loaded, so save() makes renditions only for a new one.
        instance._loaded_hero = instance.__dict__.get("hero_image")
        return instance

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.body_html = render_markdown(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)
        hero = self.hero_image.name or ""
        if (update_fields is None or "hero_image" in update_fields) and hero != (
            getattr(self, "_loaded_hero", None) or ""
        ):
            self._make_hero_renditions()
            self._loaded_hero = hero

    def _make_hero_renditions(self):
        """Write hero_card and hero_page from hero_image (or clear them); one UPDATE."""
        names = {}
        for field, _width in HERO_SIZES:
            getattr(self, field).name = ""
            names[field] = ""
        if self.hero_image:
            try:
                with self.hero_image.open("rb") as source, Image.open(source) as image:
                    image = ImageOps.exif_transpose(image).convert("RGB")
                    stem = PurePosixPath(self.hero_image.name).stem
                    for field, width in HERO_SIZES:
                        copy = image.copy()
                        copy.thumbnail((width, width * 4))
                        buffer = BytesIO()
                        copy.save(buffer, "WEBP", quality=80, method=4)
                        getattr(self, field).save(
                            f"{stem}-{width}.webp", ContentFile(buffer.getvalue()), save=False
                        )
                        names[field] = getattr(self, field).name
            except (OSError, ValueError, Image.DecompressionBombError):
                logger.warning("Could not make hero renditions for article %s", self.pk)
        # update(), not save(): no second Markdown render.
        type(self).objects.filter(pk=self.pk).update(**names)

    def get_absolute_url(self):
        return reverse("news:article", args=[self.slug])

    @property
    def state(self):
        """ "Draft", "Scheduled" or "Live", as editors say it."""
        if self.status != self.Status.PUBLISHED or self.published_at is None:
            return "Draft"
        return "Live" if self.published_at <= timezone.now() else "Scheduled"

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )
