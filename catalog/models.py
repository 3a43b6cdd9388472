"""What describes devices: brands, categories, the spec schema, devices, their values and photos.

These models lived in the ``comparisons`` app until the catalog got an app of its own; they
keep their tables (``db_table``), so existing sites moved without copying a row.
"""

import json

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import F, Prefetch
from django.db.models.expressions import RawSQL
from django.db.models.lookups import IsNull
from django.db.models.query import ModelIterable
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from reversion.errors import RevertError
from reversion.models import Version

from core import images
from core.content import ContentModel, ContentQuerySet, content_version, in_request
from core.django_private import is_new_file, loaded_relation, set_iterable_class
from core.links import slug_url
from core.models import CheckedOnceModel
from core.text import shown

from .units import MAX_MAGNITUDE, SpecValueError, check_number, format_number, parse_number


@reversion.register()
class Brand(ContentModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "comparisons_brand"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("catalog:brand", self.slug)


@reversion.register()
class Category(ContentModel):
    """Phones, Laptops, Chipsets, …: data, not code."""

    class Kind(models.TextChoices):
        PHONE = "phone", "Phone"
        TABLET = "tablet", "Tablet"
        LAPTOP = "laptop", "Laptop"
        WATCH = "watch", "Watch"
        CHIP = "chip", "Chip"
        OTHER = "other", "Other"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Read by code instead of the name, which editors may change.
    kind = models.CharField(
        max_length=10,
        choices=Kind,
        default=Kind.OTHER,
        help_text="How its devices are drawn without a photo; a comparison judges the figures "
        'of one kind together, and those of each "other" category alone.',
    )

    class Meta:
        db_table = "comparisons_category"
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:device-list") + f"?category={self.slug}"

    @property
    def judged_with(self):
        """What a comparison judges this category's figures against: every category of the
        same kind, but only itself when its kind is "other" (other things need not be alike)."""
        if self.kind == self.Kind.OTHER:
            return ("category", self.pk)
        return ("kind", self.kind)


@reversion.register()
class SpecGroup(ContentModel):
    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "comparisons_specgroup"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


def _plain_number(number):
    return int(number) if float(number).is_integer() else number


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def clean_plausible(ranges):
    """``ranges`` ({category kind: [low, high]}) as stored, or SpecValueError saying which
    range is wrong and why: known kinds only, two finite numbers each, low ≤ high. The one
    rule for the admin, the importer and the model."""
    if not isinstance(ranges, dict):
        raise SpecValueError("must map category kinds to [low, high]")
    cleaned = {}
    for kind, bounds in ranges.items():
        if kind not in Category.Kind.values:
            kinds = ", ".join(Category.Kind.values)
            # Quoted from a file or a form: escaped to one short line.
            named = shown(json.dumps(str(kind))[1:-1])
            raise SpecValueError(f"“{named}” is no category kind (use {kinds})")
        pair = isinstance(bounds, list | tuple) and len(bounds) == 2
        if not pair or not all(_is_number(end) for end in bounds):
            raise SpecValueError(f"the range for {kind} must be two numbers, [low, high]")
        try:
            low, high = (check_number(end) for end in bounds)
        except SpecValueError:
            raise SpecValueError(
                f"the range for {kind} must be two finite numbers, [low, high], "
                f"each at most {MAX_MAGNITUDE:g} either way"
            ) from None
        if low > high:
            raise SpecValueError(
                f"the range for {kind} starts above its end "
                f"({format_number(low)} > {format_number(high)})"
            )
        cleaned[kind] = [_plain_number(low), _plain_number(high)]
    return cleaned


def in_kind_order(ranges):
    """``ranges`` ordered as Category.Kind lists the kinds (PostgreSQL's jsonb keeps no order)."""
    return {kind: ranges[kind] for kind in Category.Kind.values if kind in ranges}


def validate_plausible(ranges):
    try:
        clean_plausible(ranges)
    except SpecValueError as error:
        message = str(error)
        raise ValidationError(message[:1].upper() + message[1:]) from None


# How a message names a device of each category kind: "outside 50–1,000 g for a phone".
KIND_NOUNS = {
    "phone": "a phone",
    "tablet": "a tablet",
    "laptop": "a laptop",
    "watch": "a watch",
    "chip": "a chip",
    "other": "a device of kind “other”",
}


# Where a field stands on a spec sheet and in a table: its group's place, then its own.
SHEET_ORDER = ["group__order", "group__name", "order", "name"]
# The same order for spec values, through their field.
VALUE_SHEET_ORDER = [f"field__{name}" for name in SHEET_ORDER]


@reversion.register()
class SpecField(ContentModel):
    class Kind(models.TextChoices):
        NUMBER = "number", "Number"
        TEXT = "text", "Text"
        BOOLEAN = "yes-no", "Yes / no"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"
        NONE = "none", "Neither"

    class Role(models.TextChoices):
        NONE = "", "None"
        DIMENSIONS = "dimensions", "Dimensions (outlines are drawn from it)"

    group = models.ForeignKey(SpecGroup, on_delete=models.PROTECT, related_name="fields")
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    unit = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.TEXT)
    direction = models.CharField(max_length=10, choices=Direction, default=Direction.NONE)
    order = models.PositiveSmallIntegerField(default=0)
    categories = models.ManyToManyField(Category, related_name="spec_fields", blank=True)
    # Shown as a min/max filter on the catalog (numbers only).
    filterable = models.BooleanField(default=False)
    # Shown in the device header and on catalog cards.
    key = models.BooleanField("key spec", default=False)
    # What code reads this field for, whatever its name; one field at most per role.
    role = models.CharField(max_length=20, choices=Role, default=Role.NONE, blank=True)
    # Catches a slipped unit ("201 stone" as a phone's weight): see outside_plausible().
    plausible = models.JSONField(
        "plausible ranges",
        default=dict,
        blank=True,
        validators=[validate_plausible],
        help_text="Per category kind, the lowest and highest figure that make sense, in the "
        "field's unit. A figure outside is refused in the admin unless the editor ticks "
        "“I checked this value”, and listed by imports.",
    )

    class Meta:
        db_table = "comparisons_specfield"
        ordering = SHEET_ORDER
        constraints = [
            models.UniqueConstraint(
                fields=["role"],
                condition=~models.Q(role=""),
                name="one_field_per_role",
                violation_error_message="Another field already has this role.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    @property
    def sheet_position(self):
        """A sort key in SHEET_ORDER (reads ``group``: select it with the field)."""
        return (self.group.order, self.group.name, self.order, self.name)

    @property
    def is_number(self):
        return self.kind == self.Kind.NUMBER

    def clean(self):
        if self.plausible and self.kind != self.Kind.NUMBER:
            raise ValidationError({"plausible": "Only number fields have plausible ranges."})

    def outside_plausible(self, number, kind):
        """Why ``number`` makes no sense for a device of category ``kind``: "Weight
        1,276,409 g is outside 50–1,000 g for a phone"; None when it is inside the range,
        or no range applies. The one test of "outside the range", for the admin and imports.
        """
        bounds = (self.plausible or {}).get(kind)
        if number is None or not bounds or self.kind != self.Kind.NUMBER:
            return None
        low, high = bounds
        if low <= number <= high:
            return None
        # A large figure reads best whole, unless rounding would put it inside the range.
        whole = round(number)
        shown = whole if abs(number) >= 1000 and not low <= whole <= high else number
        bounds = f"{format_number(low)}–{format_number(high, self.unit)}"
        return (
            f"{self.name} {format_number(shown, self.unit)} is outside {bounds} "
            f"for {KIND_NOUNS.get(kind, kind)}"
        )

    def best(self, numbers):
        """The best of ``numbers`` for this field, or None where no direction applies."""
        numbers = [n for n in numbers if n is not None]
        if not numbers or self.kind != self.Kind.NUMBER:
            return None
        if self.direction == self.Direction.HIGHER:
            return max(numbers)
        if self.direction == self.Direction.LOWER:
            return min(numbers)
        return None


# The fields this process has seen, for one content version: see WithFields.
_fields_seen = (None, {})


def fields_seen():
    """{pk: SpecField with its group} seen since the content version last moved, or None
    when this process has seen none under the current version, or it is unavailable, or
    this is not a request (which reads the version once)."""
    if not in_request():
        return None
    version, fields = _fields_seen
    current = content_version()
    return fields if version == current and current != "unavailable" else None


def _remember_fields(fields):
    global _fields_seen
    version, seen = _fields_seen
    current = content_version()
    if version != current:
        seen = {}
        _fields_seen = (current, seen)
    seen.update(fields)
    return seen


# What joins device slugs in a comparison's URL ("a-vs-b"): no device slug may contain it.
COMPARISON_SEPARATOR = "-vs-"


def _unknown(column):
    """True where ``column`` is NULL: ordered first, it puts unknown values last on every
    database with no NULLS LAST (which SQLite refuses in an index)."""
    return IsNull(F(column), True)


class DeviceQuerySet(ContentQuerySet):
    # The catalog's orders (comparisons.filters offers them), each served by two indexes of
    # the same expressions (Device.Meta): one over every device, one within a category.
    CATALOG_ORDERS = {
        "newest": (_unknown("released"), F("released").desc(), F("name"), F("id")),
        "oldest": (_unknown("released"), F("released"), F("name"), F("id")),
        "name": (F("name"), F("id")),
        "price-low": (_unknown("launch_price"), F("launch_price"), F("name"), F("id")),
        "price-high": (_unknown("launch_price"), F("launch_price").desc(), F("name"), F("id")),
    }

    def catalog_order(self, sort):
        """Ordered as the catalog's ``sort`` ("newest", …), unknown values last."""
        return self.order_by(*self.CATALOG_ORDERS[sort])

    def with_related(self):
        return self.select_related("brand", "category", "powered_by")

    def with_powers_count(self):
        """``powers_count``: how many devices each one powers (a chip's page lists them).
        Written out: Count("powers") made the ORM group by every selected column."""
        qn, meta = connections[self.db].ops.quote_name, self.model._meta
        table, pk = qn(meta.db_table), qn(meta.pk.column)
        powered_by = qn(meta.get_field("powered_by").column)
        return self.annotate(
            powers_count=RawSQL(
                f"SELECT COUNT(*) FROM {table} powered WHERE powered.{powered_by} = {table}.{pk}",
                [],
            )
        )

    def with_specs(self):
        """Prefetch spec values with their field and group: one query, whatever the count."""
        return self.with_related().prefetch_related(
            Prefetch(
                "specs",
                queryset=SpecValue.objects.select_related("field__group").order_by(
                    *VALUE_SHEET_ORDER
                ),
            )
        )

    def with_key_specs(self):
        """Prefetch what a card shows: the key specs (``device.key_specs``) and, in the same
        query, the dimensions its outline is drawn from (``device.card_specs`` holds both).

        Photos need no query: ``Device.image`` is the main photo (see DevicePhoto).
        """
        return self.with_related().prefetch_related(self.card_specs_prefetch())

    @staticmethod
    def card_specs_prefetch():
        """The Prefetch of ``with_key_specs()``, for devices already loaded
        (``prefetch_related_objects``)."""
        return Prefetch(
            "specs",
            queryset=SpecValue.objects.with_fields().filter(
                models.Q(field__key=True) | models.Q(field__role=SpecField.Role.DIMENSIONS)
            ),
            to_attr="card_specs",
        )


# Search ranks equal matches by status: what one can buy, then what is coming, then what is
# gone, and cancelled devices last; an unknown status counts as on sale.
STATUS_RANK = {
    "available": 0,
    "": 0,
    "announced": 1,
    "rumoured": 1,
    "discontinued": 2,
    "cancelled": 3,
}


# One revision holds a device with its spec values and photos (see core.admin).
@reversion.register(follow=("specs_for_revision", "photos"))
class Device(CheckedOnceModel, ContentModel):
    name = models.CharField(max_length=200)
    # Never contains COMPARISON_SEPARATOR: the shareable comparison URL splits on it.
    slug = models.SlugField(max_length=200, unique=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="devices")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="devices")

    class Precision(models.TextChoices):
        YEAR = "year", "Year"
        MONTH = "month", "Month"
        DAY = "day", "Day"

    # Known to the precision the source gives: 2008 is stored as 2008-01-01 with YEAR.
    released = models.DateField(null=True, blank=True)
    released_precision = models.CharField(
        max_length=5,
        choices=Precision,
        default=Precision.DAY,
        help_text="How much of the date is known.",
    )

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        ANNOUNCED = "announced", "Announced"
        RUMOURED = "rumoured", "Rumoured"
        DISCONTINUED = "discontinued", "Discontinued"
        CANCELLED = "cancelled", "Cancelled"

    # Blank when unknown: no badge, and searched as if on sale.
    status = models.CharField(
        max_length=12,
        choices=Status,
        blank=True,
        help_text="Where the device stands: shown as a badge, offered as a catalog filter, "
        "used to rank search results. Leave blank when unknown.",
    )
    launch_price = models.DecimalField(
        "launch price (USD)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    # The main photo (the first DevicePhoto), kept by DevicePhoto, so that cards, tables
    # and the compare widget show it without a query; its resized copies are named after it.
    image = models.ImageField(upload_to="devices/", blank=True, editable=False)
    summary = models.TextField(blank=True)
    # What sets it apart from devices of the same name ("2020 · 16 GB"), kept by
    # catalog.namesakes; blank when no other device has its name.
    distinguisher = models.CharField(max_length=200, blank=True, editable=False)
    powered_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="powers",
        help_text="The chipset (itself a device) inside this phone or laptop.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        db_table = "comparisons_device"
        ordering = ["-released", "name"]
        indexes = [
            # Catalog default sort, "newest first", within a category.
            models.Index(fields=["category", "-released", "name"], name="device_cat_released"),
            # Catalog sort by price.
            models.Index(fields=["launch_price"], name="device_price"),
            # Rivals on a device page: the same category, nearest in price either way.
            models.Index(fields=["category", "launch_price"], name="device_cat_price"),
            # Catalog sorts (DeviceQuerySet.catalog_order), every device: "/devices/?sort=…".
            *(
                models.Index(*order, name=f"device_sort_{sort.replace('-', '_')}")
                for sort, order in DeviceQuerySet.CATALOG_ORDERS.items()
            ),
            # The same within a category: "/devices/?category=phones&sort=…".
            *(
                models.Index(F("category"), *order, name=f"device_cat_{sort.replace('-', '_')}")
                for sort, order in DeviceQuerySet.CATALOG_ORDERS.items()
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(slug__contains=COMPARISON_SEPARATOR),
                name="device_slug_without_vs",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("catalog:device", self.slug)

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        device = super().from_db(db, field_names, values, *args, **kwargs)
        # The name it was saved under: a rename changes the namesakes of both names.
        device._saved_name = device.__dict__.get("name")
        device._saved_slug = device.__dict__.get("slug")
        device._saved_facts = device._facts()
        return device

    def _facts(self):
        """What of its own sets a device apart from its namesakes (catalog.namesakes: its
        name's group, release year, chip), or None when not all of it was loaded."""
        names = ("name", "released", "powered_by_id")
        if not all(name in self.__dict__ for name in names):
            return None
        return tuple(self.__dict__[name] for name in names)

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        from . import namesakes

        saved_name = getattr(self, "_saved_name", None)
        renamed = saved_name is not None and saved_name != self.name
        # Saved as it was loaded (an admin form saved unchanged, only the price or summary
        # changed): its group and its part in it are the same, nothing to refresh. Spec
        # values refresh their device's group themselves.
        facts = self._facts()
        unchanged = facts is not None and facts == getattr(self, "_saved_facts", None)
        if adding or not unchanged:
            # A renamed chip changes what sets apart the devices it powers.
            namesakes.refresh_later(
                names=[self.name, saved_name],
                devices=[self.pk] if renamed else (),
                using=kwargs.get("using") or self._state.db,
            )
        self._saved_name = self.name
        self._saved_facts = facts

    def delete(self, *args, **kwargs):
        from . import namesakes

        names, using = [self.name], kwargs.get("using") or self._state.db
        result = super().delete(*args, **kwargs)
        namesakes.refresh_later(names=names, using=using)
        return result

    def validate_unique(self, exclude=None):
        # The slug it was loaded with is unique (the database keeps it so): only a new or
        # changed one is looked up.
        if self.slug is not None and self.slug == getattr(self, "_saved_slug", None):
            exclude = {*(exclude or ()), "slug"}
        super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        # Its one constraint, no "-vs-" in the slug, is clean()'s rule, said there in the
        # editor's words; Django would have the database evaluate it again (a query in a
        # savepoint of its own), and the database enforces it when the row is written.
        super().validate_constraints(exclude={*(exclude or ()), "slug"})

    def clean(self):
        from django.core.exceptions import ValidationError

        if COMPARISON_SEPARATOR in (self.slug or ""):
            raise ValidationError(
                {"slug": f'A device slug cannot contain "{COMPARISON_SEPARATOR}".'}
            )
        if self.powered_by_id and self.powered_by_id == self.pk:
            raise ValidationError({"powered_by": "A device cannot power itself."})

    @property
    def released_text(self):
        """The release date as precise as it is known: "2008", "March 2019", "7 March 2019"."""
        if self.released is None:
            return ""
        if self.released_precision == self.Precision.YEAR:
            return str(self.released.year)
        if self.released_precision == self.Precision.MONTH:
            return f"{self.released:%B} {self.released.year}"
        return f"{self.released.day} {self.released:%B} {self.released.year}"

    @property
    def released_iso(self):
        """The release date in the import format, at its precision: "2008", "2019-03", …"""
        if self.released is None:
            return None
        if self.released_precision == self.Precision.YEAR:
            return f"{self.released.year:04d}"
        if self.released_precision == self.Precision.MONTH:
            return f"{self.released.year:04d}-{self.released.month:02d}"
        return self.released.isoformat()

    @property
    def price_display(self):
        if self.launch_price is None:
            return ""
        price = self.launch_price
        return f"${price:,.0f}" if price == price.to_integral() else f"${price:,.2f}"

    @property
    def key_specs(self):
        """The key spec values, from what ``with_key_specs()`` loaded; else one query."""
        specs = getattr(self, "card_specs", None)
        if specs is None:
            specs = self.specs.filter(field__key=True).select_related("field")
        return [spec for spec in specs if spec.field.key]

    @property
    def specs_for_revision(self):
        """The spec values a revision of the device holds, with the fields their names come
        from (one query, not one per value)."""
        return self.specs.select_related("field")

    def spec_groups(self):
        """[(group, [spec values])] in sheet order; uses prefetched specs when present."""
        groups = []
        for spec in self.specs.all():
            group = spec.field.group
            if groups and groups[-1][0] == group:
                groups[-1][1].append(spec)
            else:
                groups.append((group, [spec]))
        return groups


class WithFields(ModelIterable):
    """Spec values with their field and its group, in sheet order, sharing one SpecField
    instance per field across values, devices and requests.

    A page shows a few dozen fields, which change only when an editor changes them (and the
    content version moves), on every sheet, table and card: joining fields and groups to
    every value and making two more instances each cost a device page 0.8 ms and a
    comparison 1.5. So the first read under a content version joins them, and the process
    keeps what it saw (``fields_seen``); later reads select the values alone and take their
    fields from there, with one query for any field not seen yet. Outside a request (the
    shell, commands) every read joins. Shared: never modify one.
    """

    def __iter__(self):
        seen = fields_seen()
        if seen is None:
            values = list(ModelIterable(self.queryset.select_related("field__group")))
            if in_request():
                _remember_fields({value.field_id: value.field for value in values})
        else:
            values = list(super().__iter__())
            missing = {value.field_id for value in values} - seen.keys()
            if missing:
                fields = SpecField.objects.select_related("group").filter(pk__in=missing)
                seen = _remember_fields({field.pk: field for field in fields})
            # (A value whose field was deleted since it was read goes with it.)
            values = [value for value in values if value.field_id in seen]
            for value in values:
                value.field = seen[value.field_id]
        values.sort(key=lambda value: value.field.sheet_position)
        return iter(values)


class SpecValueQuerySet(ContentQuerySet):
    def with_fields(self):
        """The values in sheet order with their fields and groups, read as WithFields
        says: for pages, which only read fields."""
        return set_iterable_class(self.order_by(), WithFields)


@reversion.register()
class SpecValue(CheckedOnceModel, ContentModel):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="specs")
    field = models.ForeignKey(SpecField, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=2000)
    # In the field's unit, whatever the display text says; used to filter, sort, pick the best.
    number = models.FloatField(null=True, blank=True)
    source = models.CharField(
        max_length=500, blank=True, help_text="Where the figure comes from: a URL or a short note."
    )
    # When value, number or source last changed (an unchanged re-import leaves it).
    changed_at = models.DateTimeField(default=timezone.now)

    objects = SpecValueQuerySet.as_manager()

    class Meta:
        db_table = "comparisons_specvalue"
        ordering = ["field__group__order", "field__order"]
        constraints = [
            models.UniqueConstraint(fields=["device", "field"], name="one_value_per_field"),
        ]
        indexes = [
            # Catalog filters "RAM ≥ 8", "Battery ≥ 5000": field then number range; and the
            # "best-<field>" sorts, walked either way, ties by device (comparisons.filters).
            models.Index(fields=["field", "number", "device"], name="specvalue_field_number_dev"),
        ]

    def __str__(self):
        return f"{self.field.name}: {self.value}"

    def save(self, *args, **kwargs):
        if self.number is None and self.field.kind == SpecField.Kind.NUMBER:
            try:
                self.number = parse_number(self.value, self.field.unit)
            except SpecValueError:
                self.number = None
        super().save(*args, **kwargs)
        self._refresh_namesakes(kwargs.get("using"))

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._refresh_namesakes(kwargs.get("using"))
        return result

    def _refresh_namesakes(self, using):
        """Key values may set the device apart from its namesakes (catalog.namesakes)."""
        if self.field.key:
            from . import namesakes

            using = using or self._state.db
            device = loaded_relation(self, SpecValue._meta.get_field("device"))
            if device is not None:
                # Its own group only: a chip's values set apart no device it powers.
                namesakes.refresh_later(names=[device.name], using=using)
            else:
                namesakes.refresh_later(devices=[self.device_id], using=using)


def photo_folder(device):
    # Short enough that a master's name fits Device.image (100 characters) whatever the slug.
    return f"devices/{device.slug[:60]}"


class DevicePhotoQuerySet(ContentQuerySet):
    def refresh_main(self, device_ids):
        """Point each device's ``image`` at its first photo (or at none). A device whose main
        photo changes gets a new ``updated_at``, so its share cards are made again."""
        device_ids = list(device_ids)
        firsts = {}
        rows = (
            DevicePhoto.objects.filter(device_id__in=device_ids)
            .order_by("device_id", "order", "pk")
            .values_list("device_id", "image")
        )
        for device_id, name in rows:
            firsts.setdefault(device_id, name)
        now = timezone.now()
        changed = []
        for device in Device.objects.filter(pk__in=device_ids).only("pk", "image"):
            main = firsts.get(device.pk, "")
            if device.image.name != main:
                device.image, device.updated_at = main, now
                changed.append(device)
        Device.objects.bulk_update(changed, ["image", "updated_at"])


@reversion.register()
class DevicePhoto(ContentModel):
    """A photo of a device; the first by ``order`` is its main photo.

    ``image`` is the clean master (see core.images: checked, metadata such as GPS removed,
    orientation applied), named by its content hash, with its resized copies beside it, all
    made once when a new file is saved. Saving or deleting a photo keeps ``Device.image``
    pointing at the main one; the files go when no photo or device uses them any more and
    no version (the trash, a device's history) names them.
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("photo", upload_to="devices/", max_length=255)
    alt = models.CharField(
        "description",
        max_length=200,
        blank=True,
        help_text="What the photo shows, for people who cannot see it (“Front and back, "
        "white”). Left blank, the device's name is used.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="The first is the main photo.")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    # Of the stored master and of the file as it came in: re-importing either changes nothing.
    checksum = models.CharField(max_length=64, editable=False)
    source_checksum = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DevicePhotoQuerySet.as_manager()

    class Meta:
        db_table = "comparisons_devicephoto"
        ordering = ["order", "pk"]
        indexes = [
            # A device's photos in order: the device page, its main photo, the export.
            models.Index(fields=["device", "order"], name="devicephoto_device_order"),
        ]

    def __str__(self):
        return self.alt or self.image.name

    def get_absolute_url(self):
        """The photo is shown on its device's page (one query unless the device is loaded)."""
        return self.device.get_absolute_url()

    def save(self, *args, **kwargs):
        if self.image and is_new_file(self.image):
            self.store(self.image.file, self.image.name)
        super().save(*args, **kwargs)
        DevicePhoto.objects.refresh_main([self.device_id])

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        DevicePhoto.objects.refresh_main([self.device_id])
        return result

    def store(self, file, name):
        """Check ``file``, store its clean master and resized copies, and point this photo
        at them; returns the names this call wrote. Raises images.ImageRefused."""
        master = images.master_of(file, name)
        stored, written = images.store_with_copies(master, photo_folder(self.device))
        self.image = stored
        self.width, self.height = master.width, master.height
        self.checksum, self.source_checksum = master.checksum, master.source_checksum
        return written


def photo_file_in_use(name):
    """Whether a photo or a device uses the master ``name``, or a version of a photo (in the
    trash or a device's history, which can bring it back) names it."""
    photo_versions = Version.objects.filter(
        content_type=ContentType.objects.get_for_model(DevicePhoto),
        serialized_data__contains=json.dumps(name, ensure_ascii=False),
    )
    return (
        DevicePhoto.objects.filter(image=name).exists()
        or Device.objects.filter(image=name).exists()
        or photo_versions.exists()
    )


def delete_unused_photo_files(names):
    """Delete the masters ``names`` and their copies where nothing uses them."""
    for name in names:
        if name and not photo_file_in_use(name):
            images.delete_files([name, *images.copy_names(name)])


@receiver(post_delete, sender=DevicePhoto)
def _photo_deleted(sender, instance, using, **kwargs):
    """Files go once the deletion commits (a rolled-back delete keeps them) if nothing uses
    them. A signal rather than delete(): a device's photos are also deleted by the database
    cascade."""
    name = instance.image.name
    transaction.on_commit(lambda: delete_unused_photo_files([name]), using=using)


@receiver(post_delete, sender=Version)
def _photo_version_deleted(sender, instance, using, **kwargs):
    """The files of a deleted photo stay while a version names them: when the last one goes
    (deleted for good from the trash, or old revisions pruned), so do they."""
    if instance.content_type_id != ContentType.objects.get_for_model(DevicePhoto).pk:
        return
    try:
        name = instance.field_dict["image"].name
    except (RevertError, KeyError, AttributeError):
        return  # a version this code cannot read names no file it knows
    transaction.on_commit(lambda: delete_unused_photo_files([name]), using=using)


class RankingQuerySet(ContentQuerySet):
    def published(self):
        return self.filter(published=True)


@reversion.register()
class Ranking(ContentModel):
    """A list editors publish ("Lightest phones"): the catalog's finder with a saved query,
    shown at /devices/best/<slug>/. The query is checked by the catalog's own filter parser
    (catalog.rankings.query_notices) in the admin."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    intro = models.TextField(blank=True, help_text="Plain text; a blank line starts a paragraph.")
    query = models.CharField(
        "finder query",
        max_length=500,
        help_text="The catalog's query string, as in its address after “?”: "
        "category=phones&max_price=400&sort=best-battery-capacity",
    )
    published = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RankingQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_url("catalog:ranking", self.slug)

    def finder_url(self):
        return reverse("catalog:device-list") + "?" + self.query


class ImportJob(models.Model):
    """A catalog file uploaded in the admin and what became of it: first checked (a dry
    run), then, once an editor confirms, imported by the task worker (catalog.imports).

    The worker writes ``done`` as it goes, so the job's page shows progress and survives a
    reload; the uploaded file waits in ``settings.IMPORT_ROOT / folder`` until the import
    ends (or a day has passed, for a check never confirmed)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "waiting for the worker"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    source = models.CharField(max_length=255, help_text="The uploaded file's name.")
    folder = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=255, help_text="The catalog JSON, inside the folder.")
    dry_run = models.BooleanField(default=True)
    reject_outliers = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    error = models.TextField(blank=True, help_text="Every problem found, one a line.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # A few rows a week: the admin's list of recent jobs reads them without an index.
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        action = "Check" if self.dry_run else "Import"
        return f"{action} of {self.source} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("admin:catalog_device_import_job", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def summary_lines(self):
        return self.summary.splitlines()

    @property
    def error_lines(self):
        return self.error.splitlines()
