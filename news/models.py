import logging
from io import BytesIO
from pathlib import PurePosixPath

import reversion
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, models
from django.db.models import Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from catalog.models import Device
from core import images
from core.content import ContentModel, ContentQuerySet
from core.django_private import is_new_file
from core.links import slug_url
from core.search import fold_name

from .markdown import render_markdown

logger = logging.getLogger(__name__)

# Hero renditions: (field name, width in px).
HERO_SIZES = (("hero_card", 640), ("hero_page", 1280))


@reversion.register()
class Tag(ContentModel):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("news:tag", self.slug)


# An author's photo is stored at most this wide (it shows far smaller).
AUTHOR_PHOTO_WIDTH = 480


@reversion.register()
class Author(ContentModel):
    """Who writes the stories: the byline and a page of their own."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    bio = models.TextField(
        "short bio", max_length=600, blank=True, help_text="Plain text, shown on their page."
    )
    photo = models.ImageField(upload_to="news/authors/", max_length=255, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        verbose_name="staff account",
        help_text="New stories written from this account are signed by this author.",
    )

    # What a byline reads (cards and lists join only these; see card_columns()).
    BYLINE_FIELDS = ("name", "slug")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("news:author", self.slug)

    def save(self, *args, **kwargs):
        # Stored clean and narrowed by the site's image rules (core.images), named by content.
        if self.photo and is_new_file(self.photo):
            self.photo = images.store_narrowed(
                self.photo.file, self.photo.name, "news/authors", AUTHOR_PHOTO_WIDTH
            )
        super().save(*args, **kwargs)


# "Read more" ranks a bounded set of candidates, so an article page costs the same at any
# archive size: each device and tag of the story offers its newest RELATED_PER_KEY stories.
RELATED_PER_KEY = 200
# A device or tag on at least this many stories is searched by walking the newest stories (it
# is on many, so RELATED_PER_KEY hits come soon); one on fewer, through its own links, sorting
# fewer than this many. See _related_sql().
RELATED_CROWDED = 2000
# Devices and tags of one story that offer candidates (a roundup may name hundreds; SQLite
# allows 500 parts in a UNION).
RELATED_MAX_KEYS = 50
RELATED_KEYS = ("devices", "tags")


# A story's author as written-out queries join it (see card_join()).
BYLINE_ALIAS = "byline"


def card_columns(qn, alias="a"):
    """The columns that written-out queries select: the key of ``alias`` (an article) and
    those of Article.CARD_FIELDS, then its author's Author.BYLINE_FIELDS (from card_join(),
    which the query must have). with_bylines() turns the rows' author columns into authors."""
    meta, author = Article._meta, Author._meta
    names = [meta.pk.name, *Article.CARD_FIELDS]
    columns = [f"{alias}.{qn(meta.get_field(name).column)}" for name in names]
    return columns + [
        f"{BYLINE_ALIAS}.{qn(author.get_field(name).column)} AS {qn(BYLINE_ALIAS + '_' + name)}"
        for name in Author.BYLINE_FIELDS
    ]


def card_join(qn, alias="a"):
    """The join card_columns() reads the author of ``alias`` through."""
    author = Author._meta
    return (
        f"JOIN {qn(author.db_table)} {BYLINE_ALIAS} ON {BYLINE_ALIAS}.{qn(author.pk.column)} "
        f"= {alias}.{qn(Article._meta.get_field('author').column)}"
    )


def with_bylines(articles):
    """``articles`` (rows of a written-out query on card_columns()) as a list, each with its
    author set from the joined columns: no query per story. The author's other fields are
    deferred."""
    meta = Author._meta
    wanted = {meta.pk.attname, *Author.BYLINE_FIELDS}
    names = [field.attname for field in meta.concrete_fields if field.attname in wanted]
    articles = list(articles)
    for article in articles:
        values = {meta.pk.attname: article.author_id}
        values |= {
            name: getattr(article, f"{BYLINE_ALIAS}_{name}") for name in Author.BYLINE_FIELDS
        }
        article.author = Author.from_db(article._state.db, names, [values[name] for name in names])
    return articles


def _related_sql(connection, article, keys, limit, offering=RELATED_KEYS):
    """(sql, params) ranking the stories that share a device or tag with ``article``: those
    the keys named in ``offering`` offer, with what they share counted for all ``keys``.

    Written out: the ORM took three times as long as the query to build a union of a dozen
    subqueries. A key's newest stories are found through its links, or, if it is on many
    stories, by walking the newest stories until RELATED_PER_KEY of them have it.
    PostgreSQL's planner chooses well between the two (per-value statistics, LIMIT-aware).
    SQLite's always takes the links (it ignores the LIMIT and keeps one average per index),
    so there each key gets both, and their LIMITs keep one by the key's link count (read from
    at most RELATED_CROWDED index entries): a LIMIT 0 skips the other unrun.
    """
    qn, meta = connection.ops.quote_name, Article._meta
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    when, status = qn(meta.get_field("published_at").column), qn(meta.get_field("status").column)
    published = f"a.{status} = %s AND a.{when} <= %s AND a.{pk} <> %s"
    visible = [Article.Status.PUBLISHED, timezone.now(), article.pk]
    newest = f"ORDER BY a.{when} DESC, a.{pk} DESC"
    per_key = RELATED_PER_KEY
    candidates, shared = [], []  # (sql, params)
    for name, ids in keys.items():
        field = meta.get_field(name)
        links = qn(field.m2m_db_table())
        story, key = qn(field.m2m_column_name()), qn(field.m2m_reverse_name())
        through = (
            f"SELECT a.{pk} FROM {table} a JOIN {links} l ON l.{story} = a.{pk} "
            f"WHERE l.{key} = %s AND {published} {newest}"
        )
        # Probes the links' unique (story, key) index for each story walked.
        walk = (
            f"SELECT a.{pk} FROM {table} a WHERE {published} AND EXISTS "
            f"(SELECT 1 FROM {links} l WHERE l.{story} = a.{pk} AND l.{key} = %s) {newest}"
        )
        crowded = (
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {links} WHERE {key} = %s "
            f"LIMIT {RELATED_CROWDED:d}) n) >= {RELATED_CROWDED:d}"
        )
        for key_id in ids[:RELATED_MAX_KEYS] if name in offering else ():
            if connection.vendor == "sqlite":
                candidates += [
                    (
                        f"{through} LIMIT CASE WHEN {crowded} THEN 0 ELSE {per_key:d} END",
                        [key_id, *visible, key_id],
                    ),
                    (
                        f"{walk} LIMIT CASE WHEN {crowded} THEN {per_key:d} ELSE 0 END",
                        [*visible, key_id, key_id],
                    ),
                ]
            else:
                candidates.append((f"{through} LIMIT {per_key:d}", [key_id, *visible]))
        count = (
            f"(SELECT COUNT(*) FROM {links} l WHERE l.{story} = a.{pk} "
            f"AND l.{key} IN ({', '.join(['%s'] * len(ids))}))"
        )
        shared.append((f"{count if ids else 0} AS {qn('shared_' + name)}", ids))
    columns = card_columns(qn)
    # SQLite wants each LIMIT inside a UNION wrapped in a subquery.
    union = " UNION ALL ".join(
        f"SELECT * FROM ({sql}) c{i}" for i, (sql, _) in enumerate(candidates)
    )
    order = ", ".join(f"{qn('shared_' + name)} DESC" for name in keys)
    sql = (
        f"SELECT {', '.join(columns + [sql for sql, _ in shared])} FROM {table} a {card_join(qn)} "
        f"WHERE a.{pk} IN ({union}) ORDER BY {order}, a.{when} DESC, a.{pk} DESC LIMIT %s"
    )
    params = [p for _, ps in shared + candidates for p in ps]
    return sql, [*params, limit]


def _newest_about_sql(connection, device_ids, limit):
    """(sql, params): the newest ``limit`` published stories that mention any of
    ``device_ids``, each once, every column but the body.

    Found through the link table from the devices' links, the newest ``limit`` per device
    at most: the cost follows how often these devices are in the news, not the archive's
    size. A story naming several of the devices comes once per device, hence the inner
    limit of ``limit`` × devices. Written out: the ORM took 1.1 ms to build what runs in
    0.07 (device and comparison pages are mostly rendered afresh).
    """
    qn, meta = connection.ops.quote_name, Article._meta
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    when, status = qn(meta.get_field("published_at").column), qn(meta.get_field("status").column)
    field = meta.get_field("devices")
    links = qn(field.m2m_db_table())
    story, device = qn(field.m2m_column_name()), qn(field.m2m_reverse_name())
    columns = ", ".join(card_columns(qn))
    newest = (
        f"SELECT l.{story} FROM {links} l JOIN {table} p ON p.{pk} = l.{story} "
        f"WHERE l.{device} IN ({', '.join(['%s'] * len(device_ids))}) "
        f"AND p.{status} = %s AND p.{when} <= %s "
        f"ORDER BY p.{when} DESC, l.{story} DESC LIMIT %s"
    )
    sql = (
        f"SELECT {columns} FROM {table} a {card_join(qn)} WHERE a.{pk} IN ({newest}) "
        f"ORDER BY a.{when} DESC, a.{pk} DESC LIMIT %s"
    )
    params = [*device_ids, Article.Status.PUBLISHED, timezone.now()]
    return sql, [*params, limit * len(device_ids), limit]


class ArticleQuerySet(ContentQuerySet):
    def published(self):
        """Published and due: the only articles any public page, feed or search may show."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published with a time still to come: they go live by the clock."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def drafts(self):
        """Not published, or published without a time: Article.state calls them "Draft"."""
        return self.filter(
            ~models.Q(status=Article.Status.PUBLISHED) | models.Q(published_at__isnull=True)
        )

    def on_calendar(self, begin, end, per_day):
        """Published stories dated from ``begin`` up to ``end`` (aware), soonest first, each
        with its ``day`` in the current time zone; at most ``per_day`` of any day. One query,
        of at most ``per_day`` rows a day."""
        day = TruncDate("published_at", tzinfo=timezone.get_current_timezone())
        return (
            self.filter(
                status=Article.Status.PUBLISHED, published_at__gte=begin, published_at__lt=end
            )
            .annotate(
                day=day,
                rank=Window(RowNumber(), partition_by=day, order_by=["published_at", "pk"]),
            )
            .filter(rank__lte=per_day)
            .order_by("published_at", "pk")
            .only("title", "status", "published_at")
        )

    def next_due_query(self):
        """``published_at`` of scheduled stories, soonest first (``.first()`` runs it)."""
        return self.scheduled().order_by("published_at").values_list("published_at", flat=True)

    def for_cards(self):
        """Only the columns a card or a list item shows (Article.CARD_FIELDS), with the
        author's byline (joined, no query of its own)."""
        byline = (f"author__{name}" for name in Author.BYLINE_FIELDS)
        return self.select_related("author").only(*Article.CARD_FIELDS, *byline)

    def for_brand(self, brand):
        """Published stories that mention any of ``brand``'s devices, newest first.

        A subquery over the link table rather than a join, so each story comes once
        without DISTINCT and the planner starts from the brand's devices.
        """
        links = Article.devices.through.objects.filter(device__brand=brand)
        return self.published().filter(pk__in=links.values("article_id")).for_cards()

    def related_to(self, article, limit=3):
        """Up to ``limit`` published stories ranked by shared devices, shared tags, recency.

        Candidates are bounded whatever the archive's size: the newest ``RELATED_PER_KEY``
        published stories of each device and each tag of the story (a story outside all of
        these lists is not considered); shared devices and tags are counted exactly for
        them. One query when the stories sharing a device fill the list; else one more
        with the tags' candidates too, and if fewer than ``limit`` share anything, one
        more for the newest others. Reads ``article.devices``/``article.tags`` (prefetch them to
        save two queries).
        """
        keys = {name: [obj.pk for obj in getattr(article, name).all()] for name in RELATED_KEYS}
        related = []
        connection = connections[self.db]
        if keys["devices"]:
            # Any story sharing a device ranks above every story sharing none: when the
            # devices' own stories are enough, the tags' (thousands each) need no walk.
            sql = _related_sql(connection, article, keys, limit, offering=["devices"])
            related = with_bylines(self.raw(*sql))
        if len(related) < limit and keys["tags"]:
            related = with_bylines(self.raw(*_related_sql(connection, article, keys, limit)))
        if len(related) < limit:
            shown = [article.pk, *(story.pk for story in related)]
            others = self.published().exclude(pk__in=shown).for_cards()
            related += list(others[: limit - len(related)])
        return related

    def newest_about(self, devices, limit):
        """The newest ``limit`` published stories that mention any of ``devices``
        (instances or pks), each once, as a list: device and comparison pages. One query,
        none without devices; bounded by the devices' links (see _newest_about_sql)."""
        ids = sorted({getattr(device, "pk", device) for device in devices})
        if not ids:
            return []
        return with_bylines(self.raw(*_newest_about_sql(connections[self.db], ids, limit)))


# A revision holds a story with its images; its tags and devices are among its fields.
@reversion.register(follow=("images",))
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
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    devices = models.ManyToManyField(
        Device, related_name="articles", blank=True, verbose_name="devices mentioned"
    )
    # Linked from the device's admin page once the catalog has it (see naming()).
    mentions = models.TextField(
        "device names not in the catalog",
        blank=True,
        help_text="Device names the story mentions that the catalog lacks, one per line.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="A future time schedules the article."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    # What a card, a list item or a feed entry reads (never the body): for_cards() loads
    # only these, and written-out queries select their columns (card_columns()).
    CARD_FIELDS = ("title", "slug", "summary", "author", "published_at", "hero_card", "hero_alt")

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # published(): status filter then newest first.
            models.Index(fields=["status", "-published_at"], name="article_published"),
            # The admin's story list, newest first (core.admin_lists reads its ids).
            models.Index(fields=["-published_at", "-id"], name="article_newest"),
            models.Index(fields=["title", "id"], name="article_title"),
            # Stories naming devices the catalog lacks (news.fulltext.naming): a few.
            models.Index(fields=["id"], condition=~models.Q(mentions=""), name="article_mentions"),
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
                # The site's image rules (core.images): size, format and pixel count are
                # checked from the header before anything is decoded.
                with self.hero_image.open("rb") as source:
                    image, _format = images.open_checked(source, self.hero_image.name)
                    image = image.convert("RGB")
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
            except (OSError, ValueError, images.ImageRefused) as error:
                logger.warning("Could not make hero renditions for article %s: %s", self.pk, error)
        # update(), not save(): no second Markdown render.
        type(self).objects.filter(pk=self.pk).update(**names)

    def get_absolute_url(self):
        return slug_url("news:article", self.slug)

    def link_device(self, device):
        """Add ``device`` to the devices the story mentions, and take the lines that name it
        out of ``mentions``: the catalog has it now."""
        self.devices.add(device)
        self.mentions = without_name(self.mentions, device)
        self.save(update_fields=["mentions", "updated_at"])

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


# The rows of "devices mentioned": a device's deletion keeps the stories' links to it in its
# revision, so that restoring the device brings them back (core.trash).
reversion.register(Article.devices.through)


def without_name(mentions, device):
    """``mentions`` (names, one per line) without the lines that are ``device``'s name, or
    its brand's and its name ("Pixel 10", "Google Pixel 10"), case, accents and spaces
    aside. A line that only contains it ("Pixel 10 Pro") stays. Reads ``device.brand``."""
    names = {fold_name(device.name), fold_name(f"{device.brand.name} {device.name}")}
    lines = (line.strip() for line in mentions.splitlines())
    return "\n".join(line for line in lines if line and fold_name(line) not in names)


# A story's images are shown as they are (Markdown has no srcset): at most this wide.
STORY_IMAGE_WIDTH = 1600


@reversion.register()
class StoryImage(models.Model):
    """An image for a story's body, uploaded on the article's admin page, which shows the
    Markdown to paste. Stored clean and narrowed (core.images), under the site's media, so
    the Content-Security-Policy lets it show. Its file stays when the row is deleted: a
    published story may still show it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="news/story/", max_length=255)
    alt = models.CharField(
        "description",
        max_length=200,
        help_text="What the image shows, for people who cannot see it; it goes in the Markdown.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.alt or self.image.name

    def get_absolute_url(self):
        return self.image.url

    def save(self, *args, **kwargs):
        if self.image and is_new_file(self.image):
            self.image = images.store_narrowed(
                self.image.file, self.image.name, "news/story", STORY_IMAGE_WIDTH
            )
        super().save(*args, **kwargs)

    @property
    def markdown(self):
        """The snippet an editor pastes into the story."""
        alt = self.alt.replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.image.url})"
