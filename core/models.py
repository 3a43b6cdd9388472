from django.db import models

from .django_private import loaded_relation


class ContentVersion(models.Model):
    """One row (pk=1): the content version when the site runs without a shared cache.

    See core.content. Kept in the database so that every process reads the same number.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Content version {self.version}"


class Editorial(models.Model):
    """No table, no rows: it holds the newsroom's permissions that belong to no one model
    (the roles in core.editors grant them)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("restore_from_trash", "Can restore deleted stories and devices from the trash"),
            ("delete_for_good", "Can delete stories and devices from the trash for good"),
            ("import_catalog", "Can import and export the catalog in the admin"),
        ]


class ShareCard(models.Model):
    """A share card stored under ``cards/`` (core.cards): what it shows and when it was last
    served. The index that bounds the store (past SHARE_CARDS_MAX cards of a bounded kind,
    the least recently served go) and lets cards of deleted things be found and removed.
    """

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20)
    key = models.TextField(help_text="What the card shows: a slug, or a comparison key")
    key_hash = models.CharField(max_length=16)
    # Moved at most once per cards.TOUCH_EVERY seconds, so serving a card rarely writes.
    used_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Eviction: a kind's least recently served cards.
            models.Index(fields=["kind", "used_at"], name="sharecard_lru"),
            # A new version of a card: the older versions of the same key.
            models.Index(fields=["kind", "key_hash"], name="sharecard_key"),
        ]

    def __str__(self):
        return self.name


class CheckedOnceModel(models.Model):
    """A model whose validation (full_clean, as a form runs it) reads no row it holds
    already: a foreign key whose row is loaded on the instance, read from the database
    with it or chosen in a form (whose choice field read it), is not looked up again. The
    database keeps the key valid when the row is written."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.name in exclude:
                continue
            related = loaded_relation(self, field)
            stored = related is not None and related._state.db is not None
            if stored and related.pk == getattr(self, field.attname):
                exclude.add(field.name)
        super().clean_fields(exclude=exclude)
