from django.db import models
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Device


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:tag", args=[self.slug])


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Published and due: the only articles any public page, feed or search may show."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(max_length=500, help_text="One or two sentences for cards and feeds.")
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

    def get_absolute_url(self):
        return reverse("news:article", args=[self.slug])

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )
