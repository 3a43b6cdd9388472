"""Read and write the catalog's JSON format (SPEC.md, "Devices and specs").

The format is declared once, as strict pydantic models (``CatalogIn`` and the entries
below it): whatever a file holds, each misfit becomes one line naming the entry and the
key, never a traceback. On top of that shape a planner checks what only the file and the
database together can tell (categories, fields, ``powered_by``, kinds and units) and works
out what would change. Nothing is written before the whole file has passed; then, in one
transaction, only what changed is written, in bulk. ``import_catalog(..., dry_run=True)``
stops after planning and reports the same summary.

``export_catalog()`` writes what the importer reads, so export → import into an empty
database → export gives the same file, sources and dates included.

Photos: a device's ``"images"`` lists files relative to the catalog file. Each is read and
checked while planning (core.images: size, pixels, a readable image), so a bad one stops
the import before anything is written; one whose checksum matches the stored photo is not
even decoded, and writes nothing. New ones are stored with their resized copies inside the
transaction; if it fails, the files it stored are deleted again. ``export_photos()``
writes the stored photos where the exported file says.
"""

import datetime
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.text import slugify
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic import Field as Limits
from pydantic_core import PydanticCustomError

from core import images
from core.content import content_changed
from core.db import refresh_planner_statistics
from core.search import fold as fold_text

from ..models import (
    COMPARISON_SEPARATOR,
    VALUE_SHEET_ORDER,
    Brand,
    Category,
    Device,
    DevicePhoto,
    SpecField,
    SpecGroup,
    SpecValue,
)
from ..units import SpecValueError, check_number, clean_value, convert, unit_family

# Rows per IN (...) list: far below SQLite's 32,766 variables and PostgreSQL's 65,535.
CHUNK = 5000
BATCH = 1000


class CatalogError(Exception):
    """Raised with every problem found in a file; nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def parse_json(text):
    """The decoded file, or CatalogError in one line: where the syntax breaks, or why the
    file cannot be read at all (nested too deeply, a number too long to be one)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except RecursionError:
        message = "invalid JSON: nested too deeply (lists or objects inside each other)"
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        message = f"invalid JSON: {str(exc).split(';')[0]}"
    raise CatalogError([message])


# The format, declared once. Limits come from the models, never retyped.


def _max_length(model, name="name"):
    return model._meta.get_field(name).max_length


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(text):
    """PostgreSQL refuses NUL in text, and no database driver encodes a lone surrogate
    ("\\ud800" is valid JSON): refused here, so every database takes the same files."""
    if UNSTORABLE.search(text):
        raise PydanticCustomError(
            "message", "holds a character no database stores (NUL or a lone surrogate)"
        )
    return text


CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _one_line(name):
    """A name is shown in headings, lists and URLs: no line breaks, tabs or other controls."""
    if CONTROL.search(name):
        raise PydanticCustomError("message", "holds a control character (a line break or tab)")
    return name


def _text(max_length=None, *, blank=True):
    limits = StringConstraints(
        strip_whitespace=True, min_length=0 if blank else 1, max_length=max_length
    )
    return Annotated[str, limits, AfterValidator(_storable)]


def _name(model, name="name"):
    return Annotated[_text(_max_length(model, name), blank=False), AfterValidator(_one_line)]


def _device_slug(slug):
    if COMPARISON_SEPARATOR in slug:
        raise PydanticCustomError(
            "message", f'cannot contain "{COMPARISON_SEPARATOR}" (comparison URLs split on it)'
        )
    if slugify(slug) != slug:
        raise PydanticCustomError("invalid", "")
    return slug


PRECISIONS = {1: Device.Precision.YEAR, 2: Device.Precision.MONTH, 3: Device.Precision.DAY}
RELEASED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Released:
    date: datetime.date
    precision: str


def _released(text):
    """ "2008", "2019-03" or "2019-03-07": stored as a date with the precision known."""
    match = RELEASED.fullmatch(text)
    if match is None:
        raise PydanticCustomError("invalid", "")
    parts = [int(part) for part in match.groups() if part is not None]
    try:
        date = datetime.date(*parts, *[1] * (3 - len(parts)))
    except ValueError:
        raise PydanticCustomError("invalid", "") from None
    return Released(date, PRECISIONS[len(parts)])


_price_field = Device._meta.get_field("launch_price")
CENT = Decimal(1).scaleb(-_price_field.decimal_places)
MAX_PRICE = Decimal(10) ** (_price_field.max_digits - _price_field.decimal_places) - CENT


def _price(value):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError("invalid", "")
    try:
        price = Decimal(str(value).strip())
        if not price.is_finite() or not 0 <= price <= MAX_PRICE:
            raise InvalidOperation
        return price.quantize(CENT)
    except InvalidOperation:
        raise PydanticCustomError("invalid", "") from None


VALUE_LENGTH = _max_length(SpecValue, "value")


def _scalar(value):
    """A spec's value: text, a number or true/false (what it means depends on the field)."""
    if isinstance(value, str):
        value = _storable(value.strip())
        if not value:
            raise PydanticCustomError("message", "is empty")
        if len(value) > VALUE_LENGTH:
            raise PydanticCustomError("message", f"is longer than {VALUE_LENGTH} characters")
        return value
    if isinstance(value, bool | int | float):
        return value
    raise PydanticCustomError("invalid", "")


def _aware_datetime(text):
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError("invalid", "") from None
    if moment.tzinfo is None:
        raise PydanticCustomError("message", "needs a time zone (e.g. 2024-05-01T10:00:00Z)")
    return moment


class _Strict(BaseModel):
    # strict: no coercion ("8" is not 8, 1 is not true); forbid: a misspelt key is an error.
    model_config = ConfigDict(strict=True, extra="forbid")


class SpecIn(_Strict):
    """One spec value: "4700 mAh", or {"value": …, "number": …, "source": …, "changed_at": …}."""

    value: Annotated[Any, AfterValidator(_scalar)]
    number: float | None = None
    source: _text(_max_length(SpecValue, "source")) = ""
    changed_at: Annotated[str, AfterValidator(_aware_datetime)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_value(cls, data):
        if isinstance(data, dict):
            return data
        if isinstance(data, str | bool | int | float):
            return {"value": data}
        raise PydanticCustomError("invalid", "")


CategoryKind = Literal[tuple(Category.Kind.values)]


class CategoryIn(_Strict):
    """A category: "Phones", or {"name": "Phones", "kind": "phone"}; no kind keeps what is
    stored (a new category's is "other")."""

    name: _name(Category)
    kind: CategoryKind | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_name(cls, data):
        if isinstance(data, dict):
            return data
        if isinstance(data, str):
            return {"name": data}
        raise PydanticCustomError("invalid", "")


class BrandIn(_Strict):
    name: _name(Brand)
    description: _text() | None = None


Kind = Literal[tuple(SpecField.Kind.values)]
Direction = Literal[tuple(SpecField.Direction.values)]
Role = Literal[tuple(SpecField.Role.values)]
ORDER_MIN, ORDER_MAX = BaseDatabaseOperations.integer_field_ranges[
    SpecField._meta.get_field("order").get_internal_type()
]


class FieldIn(_Strict):
    """A spec field; every key but the name may be left out to keep what is stored."""

    name: _name(SpecField)
    group: _name(SpecGroup) | None = None
    unit: _text(_max_length(SpecField, "unit")) | None = None
    kind: Kind | None = None
    direction: Direction | None = None
    categories: list[_name(Category)] | None = None
    order: Annotated[int, Limits(ge=ORDER_MIN, le=ORDER_MAX)] | None = None
    filterable: bool | None = None
    key: bool | None = None
    role: Role | None = None


IMAGE_PATH_LENGTH = 500


class ImageIn(_Strict):
    """A photo: "photos/x.jpg" (relative to the catalog file) or {"path": …, "alt": …}."""

    path: _text(IMAGE_PATH_LENGTH, blank=False)
    alt: _text(_max_length(DevicePhoto, "alt")) = ""

    @model_validator(mode="before")
    @classmethod
    def _plain_path(cls, data):
        if isinstance(data, dict):
            return data
        if isinstance(data, str):
            return {"path": data}
        raise PydanticCustomError("invalid", "")


class DeviceIn(_Strict):
    """A device, matched by slug; a key left out (or null name/brand/category) keeps what is
    stored; null ``released``, ``powered_by``, ``launch_price`` or a spec clears it.
    ``images`` lists its photos in order (the first is the main one); [] or null removes
    them, no key keeps them."""

    slug: Annotated[
        str,
        StringConstraints(min_length=1, max_length=_max_length(Device, "slug")),
        AfterValidator(_device_slug),
    ]
    name: _name(Device) | None = None
    brand: _name(Brand) | None = None
    category: _name(Category) | None = None
    released: Annotated[str, AfterValidator(_released)] | None = None
    powered_by: Annotated[str, StringConstraints(min_length=1)] | None = None
    launch_price: Annotated[Any, BeforeValidator(_price)] | None = None
    summary: _text() | None = None
    images: list[ImageIn] | None = None
    specs: dict[str, SpecIn | None] = {}


class CatalogIn(_Strict):
    """The file. Entries are checked one by one (see ``_entries``) so that one malformed
    device does not hide the reference errors of the others."""

    categories: list[CategoryIn] = []
    groups: list[_name(SpecGroup)] = []
    brands: list[Any] = []
    fields: list[Any] = []
    devices: list[Any] = []


# What each key must hold, for messages: "'powered_by' must be a device slug, not 12".
EXPECTED = {
    "slug": "a slug (lower-case letters, digits and hyphens)",
    "powered_by": "a device slug",
    "name": "a name (text)",
    "brand": "a brand name",
    "category": "a category name",
    "group": "a group name",
    "unit": "a unit (text)",
    "kind": "one of " + ", ".join(SpecField.Kind.values),
    "direction": "one of " + ", ".join(SpecField.Direction.values),
    "categories": "a list of category names",
    "groups": "a list of group names",
    "brands": "a list of brand objects",
    "fields": "a list of field objects",
    "devices": "a list of device objects",
    "order": f"a whole number from {ORDER_MIN} to {ORDER_MAX}",
    "filterable": "true or false",
    "key": "true or false",
    "role": '"" (none) or ' + ", ".join(role for role in SpecField.Role.values if role),
    "released": "a date: YYYY, YYYY-MM or YYYY-MM-DD",
    "launch_price": f"a price in USD from 0 to {MAX_PRICE}",
    "summary": "text",
    "description": "text",
    "specs": "an object of field name to value",
    "value": "text, a number or true/false",
    "number": "a number",
    "source": "text (a URL or a short note)",
    "changed_at": "a date and time (ISO 8601, e.g. 2024-05-01T10:00:00Z)",
    "images": "a list of image paths (relative to the catalog file)",
    "path": "a path relative to the catalog file",
    "alt": "text (what the photo shows)",
}
ITEM_EXPECTED = {
    "categories": "a category name",
    "groups": "a group name",
    "images": 'a path or an object with "path"',
    "specs": 'text, a number, true/false or an object with "value"',
}
# What a key of an object in the file's "categories" must hold.
CATEGORY_EXPECTED = {"kind": "one of " + ", ".join(Category.Kind.values)}


def _escaped(text, limit=60):
    """``text`` on one printable line: controls and lone surrogates escaped, cut to ``limit``."""
    text = json.dumps(str(text), ensure_ascii=False)[1:-1]
    text = UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value):
    """A short picture of what the file holds, whatever its size or depth."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f'"{_escaped(value)}"'
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a number of more than 60 digits"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return _escaped(repr(value))


def _plain(value):
    """A field attribute as a summary line shows it: true/false, numbers and words bare."""
    return json.dumps(value) if isinstance(value, bool) else _escaped(value)


def _quoted(name):
    """A key or a name from the file, quoted and escaped so that any text prints on one line."""
    return f"'{_escaped(name)}'"


def _subject(loc):
    """("specs", "Weight", "number") -> "'number' of 'Weight'"; ("categories", 0) ->
    "'categories' item 0"."""
    if len(loc) >= 2 and loc[0] == "specs":
        rest = _subject(loc[2:])
        return f"{rest} of {_quoted(loc[1])}" if rest else f"the value of {_quoted(loc[1])}"
    parts = [f"item {part}" if isinstance(part, int) else _quoted(part) for part in loc]
    return " ".join(parts)


def _expected(loc):
    if len(loc) == 3 and loc[0] == "categories" and loc[2] in CATEGORY_EXPECTED:
        return CATEGORY_EXPECTED[loc[2]]
    keys = [part for part in loc if isinstance(part, str)]
    if loc and isinstance(loc[-1], int) and keys:
        return ITEM_EXPECTED.get(keys[-1], "an object")
    if len(loc) == 2 and loc[0] == "specs":
        return ITEM_EXPECTED["specs"]
    return EXPECTED.get(keys[-1], "something else") if keys else "an object"


def _message(error):
    """One pydantic error in our words, without the entry's name."""
    loc, kind = error["loc"], error["type"]
    if loc[:1] == ("categories",) and loc[2:] == ("name",) and kind != "missing":
        # A category is mostly listed as its name alone: speak of the item, as then.
        loc = loc[:2]
    if kind == "extra_forbidden":
        where = f" in {_subject(loc[:-1])}" if loc[:-1] else ""
        return f"unknown key {_quoted(loc[-1])}{where}"
    subject = _subject(loc)
    if kind == "missing":
        return f"{subject} is missing"
    if kind == "string_too_long":
        return f"{subject} is longer than {error['ctx']['max_length']} characters"
    if kind == "string_too_short":
        return f"{subject} is empty"
    if kind == "message":
        return f"{subject} {error['msg']}"
    return f"{subject} must be {_expected(loc)}, not {_shown(error['input'])}".lstrip()


def _validate(model, raw, where):
    """(model instance, []) or (None, [messages]) for one entry of the file."""
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        messages = []
        for error in exc.errors(include_url=False):
            message = _message(error)
            messages.append(f"{where}: {message}" if where else message)
        return None, messages
    except RecursionError:
        return None, [f"{where}: nested too deeply"]


def _label(raw, key):
    value = raw.get(key) if isinstance(raw, dict) else None
    return f" ({_escaped(value.strip())})" if isinstance(value, str) and value.strip() else ""


# Matching


def fold(name):
    """The key names are matched by: search's rule (case and accents ignored, so "portege"
    is "Portégé" and "Mediatek" is "MediaTek"), and any run of spaces as one."""
    return " ".join(fold_text(name).split())


class _Names:
    """Rows of one model found by name or slug, ignoring case and accents. The first
    spelling wins: a stored row's, else the first one the file uses."""

    def __init__(self, rows, by_slug=True):
        self.rows, self.exact, self.folded, self.slugs = [], {}, {}, {}
        self.by_slug = by_slug
        for row in rows:
            self.add(row)

    def add(self, row):
        self.rows.append(row)
        self.exact.setdefault(row.name, row)
        self.folded.setdefault(fold(row.name), row)
        if self.by_slug and row.slug:
            self.slugs.setdefault(row.slug, row)
        return row

    def get(self, name):
        found = self.exact.get(name)
        if found is None:
            key = fold(name)
            found = self.folded.get(key) or self.slugs.get(key)
        return found


def _unique_slug(name, taken, model, fallback):
    limit = _max_length(model, "slug")
    base = (slugify(name) or fallback)[:limit]
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug, n = base[: limit - len(suffix)] + suffix, n + 1
    taken.add(slug)
    return slug


def _next_order(model):
    last = model.objects.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


def _distinct(rows):
    """``rows`` without repeats, in order; unsaved rows have no hash, so by identity."""
    seen = set()
    return [row for row in rows if id(row) not in seen and not seen.add(id(row))]


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The summary


def _plural(count, noun):
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass
class ImportResult:
    """What an import changed (or, in a dry run, would change)."""

    dry_run: bool = False
    devices_new: int = 0
    devices_updated: list = field(default_factory=list)
    devices_unchanged: int = 0
    values_new: int = 0
    values_changed: int = 0
    values_removed: int = 0
    values_converted: int = 0
    photos_new: int = 0
    photos_removed: int = 0
    new_categories: list = field(default_factory=list)
    category_changes: list = field(default_factory=list)
    new_groups: list = field(default_factory=list)
    new_fields: list = field(default_factory=list)
    field_changes: list = field(default_factory=list)
    new_brands: list = field(default_factory=list)
    brand_changes: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(
            self.devices_new
            or self.devices_updated
            or self.values_converted
            or self.new_categories
            or self.category_changes
            or self.new_groups
            or self.new_fields
            or self.field_changes
            or self.new_brands
            or self.brand_changes
        )

    def __str__(self):
        devices = self.devices_new + len(self.devices_updated) + self.devices_unchanged
        return (
            f"{_plural(devices, 'device')} ({self.devices_new} new, "
            f"{len(self.devices_updated)} updated, {self.devices_unchanged} unchanged), "
            f"{_plural(len(self.new_fields), 'new field')}, "
            f"{_plural(len(self.field_changes), 'changed field')}, "
            f"{_plural(len(self.new_brands), 'new brand')}"
        )

    def report(self):
        """The summary as lines: the same for a dry run and the real one."""
        lines = [
            ("Dry run, nothing written: " if self.dry_run else "Imported ") + str(self),
            f"Spec values: {self.values_new} new, {self.values_changed} changed, "
            f"{self.values_removed} removed",
        ]
        if self.photos_new or self.photos_removed:
            lines.append(f"Photos: {self.photos_new} new, {self.photos_removed} removed")
        for title, names in (
            ("New categories", self.new_categories),
            ("New groups", self.new_groups),
            ("New fields", self.new_fields),
            ("New brands", self.new_brands),
        ):
            if names:
                lines.append(f"{title} ({len(names)}): {', '.join(names)}")
        for title, changes in (
            ("Changed categories", self.category_changes),
            ("Changed fields", self.field_changes),
            ("Changed brands", self.brand_changes),
        ):
            if changes:
                lines.append(f"{title} ({len(changes)}):")
                lines.extend(f"  {change}" for change in changes)
        if self.devices_updated:
            shown = self.devices_updated[:20]
            more = len(self.devices_updated) - len(shown)
            lines.append(
                f"Updated devices: {', '.join(shown)}" + (f" and {more} more" if more else "")
            )
        return lines


# Importing


def import_catalog(data, *, dry_run=False, base_dir=None):
    """Check ``data`` (decoded JSON) whole, then write what changed in one transaction.

    Raises CatalogError listing every problem, having changed nothing (and having left no
    stored file behind). With ``dry_run`` nothing is written and the result says what would
    have changed. An import that changes nothing writes nothing, so the content version
    stays where it was. ``base_dir``: the folder image paths are relative to.
    """
    base_dir = Path(base_dir) if base_dir is not None else None
    if dry_run:
        plan = _Planner(data, dry_run=True, base_dir=base_dir).plan()
        return plan.result
    written = []
    try:
        with transaction.atomic():
            plan = _Planner(data, base_dir=base_dir).plan()
            if plan.result.changed:
                _write(plan, written)
    except BaseException:
        images.delete_files(written)
        raise
    result = plan.result
    if result.changed:
        content_changed()
    if result.devices_new or result.values_new or result.values_removed:
        refresh_planner_statistics()
    return result


def _where(kind, index, raw, key):
    return f"{kind} {index}{_label(raw, key)}"


class _Planner:
    """Checks a file against itself and the database and works out every change, writing
    nothing: the in-memory rows it returns carry the new state, the lists say which."""

    def __init__(self, data, dry_run=False, base_dir=None):
        self.data = data
        self.base_dir = base_dir
        self.result = ImportResult(dry_run=dry_run)
        self.errors = []
        self.now = timezone.now()
        # Fields whose own entry is wrong: values for them would only repeat the error.
        self.broken_fields = set()

    def error(self, message):
        self.errors.append(message)

    def plan(self):
        if not isinstance(self.data, dict):
            raise CatalogError(['the file must hold a JSON object with "devices" and "fields"'])
        catalog, errors = _validate(CatalogIn, self.data, "the file")
        if catalog is None:
            raise CatalogError(errors)
        self._categories(catalog.categories)
        self._groups(catalog.groups)
        brands = self._entries(BrandIn, catalog.brands, "brand", "name")
        fields = self._entries(FieldIn, catalog.fields, "field", "name")
        devices = self._entries(DeviceIn, catalog.devices, "device", "slug")
        self._brands(brands)
        self._fields(fields)
        self._devices(devices)
        if self.errors:
            raise CatalogError(self.errors)
        return self

    def _entries(self, model, items, kind, key):
        """[(index, where, entry or None, its format errors)] for one list of the file."""
        entries = []
        for index, raw in enumerate(items):
            where = _where(kind, index, raw, key)
            entry, errors = _validate(model, raw, where)
            name = raw.get("name") if isinstance(raw, dict) else None
            if entry is None and kind == "field" and isinstance(name, str):
                self.broken_fields.add(fold(name))
            entries.append((index, where, entry, errors))
        return entries

    def _valid(self, entries):
        """The entries that fit the format, in file order; the others' errors are listed
        as their turn comes, so each entry's errors stand together."""
        for index, where, entry, errors in entries:
            self.errors.extend(errors)
            if entry is not None:
                yield index, where, entry

    # Categories and groups: found by name (and slug), created when new.

    def _categories(self, entries):
        self.categories = _Names(Category.objects.all())
        self.new_categories, self.changed_categories = [], []
        order = _next_order(Category)
        taken = set(Category.objects.values_list("slug", flat=True))
        kinds = {}
        for entry in entries:
            category = self.categories.get(entry.name)
            if category is None:
                slug = _unique_slug(entry.name, taken, Category, "category")
                order_at = order + len(self.new_categories)
                category = Category(name=entry.name, slug=slug, order=order_at)
                self.new_categories.append(self.categories.add(category))
                self.result.new_categories.append(entry.name)
            if entry.kind is not None:
                self._category_kind(category, entry.kind, kinds)

    def _category_kind(self, category, kind, kinds):
        """Give ``category`` the ``kind`` the file lists it with (``kinds``: those given so
        far, by category)."""
        given = kinds.setdefault(id(category), kind)
        if given != kind:
            self.error(
                f"the file: 'categories' lists {_quoted(category.name)} with two kinds "
                f"({given} and {kind})"
            )
        elif kind != category.kind:
            if category.pk is not None:
                self.changed_categories.append(category)
                self.result.category_changes.append(
                    f"{category.name}: kind {category.kind} → {kind}"
                )
            category.kind = kind

    def _groups(self, names):
        self.groups = _Names(SpecGroup.objects.all(), by_slug=False)
        self.new_groups = []
        self.next_group_order = _next_order(SpecGroup)
        for name in names:
            self._group(name)

    def _group(self, name):
        group = self.groups.get(name)
        if group is None:
            group = SpecGroup(name=name, order=self.next_group_order + len(self.new_groups))
            self.new_groups.append(self.groups.add(group))
            self.result.new_groups.append(name)
        return group

    def _category(self, name, where):
        category = self.categories.get(name)
        if category is None:
            self.error(f'{where}: unknown category {_quoted(name)} (list new ones in "categories")')
        return category

    # Brands: found by name or slug; devices may name new ones.

    def _brands(self, entries):
        self.brands = _Names(Brand.objects.all())
        self.brand_slugs = set(Brand.objects.values_list("slug", flat=True))
        self.new_brands = []
        self.changed_brands = []
        listed = {}
        for _index, where, entry in self._valid(entries):
            key = fold(entry.name)
            if key in listed:
                self.error(f"{where}: listed twice (as {_quoted(listed[key])})")
                continue
            listed[key] = entry.name
            brand = self._brand(entry.name)
            if entry.description is not None and entry.description != brand.description:
                brand.description = entry.description
                if brand.pk is not None:
                    self.changed_brands.append(brand)
                    self.result.brand_changes.append(f"{brand.name}: description")

    def _brand(self, name):
        brand = self.brands.get(name)
        if brand is None:
            slug = _unique_slug(name, self.brand_slugs, Brand, "brand")
            brand = self.brands.add(Brand(name=name, slug=slug, description=""))
            self.new_brands.append(brand)
            self.result.new_brands.append(name)
        return brand

    # Fields: found by name (case and accents ignored); never lose anything silently.

    def _fields(self, entries):
        rows = list(SpecField.objects.select_related("group"))
        self.fields = _Names(rows, by_slug=False)
        self.field_slugs = {row.slug for row in rows}
        self.field_categories = {row.pk: set() for row in rows}
        links = SpecField.categories.through.objects.values_list("specfield_id", "category_id")
        for field_id, category_id in links:
            self.field_categories[field_id].add(category_id)
        self.new_fields, self.changed_fields, self.new_links = [], [], []
        self.conversions = {}
        seen = set()
        for index, where, entry in self._valid(entries):
            key = fold(entry.name)
            if key in seen:
                self.error(f"{where}: listed twice")
                continue
            seen.add(key)
            existing = self.fields.get(entry.name)
            if existing is None:
                self._new_field(index, where, entry)
            else:
                self._field_changes(where, existing, entry)
        self._one_field_per_role()

    def _one_field_per_role(self):
        """At most one field may hold a role, as the database allows; the file may move one
        (giving it to a field and "" to the field that held it)."""
        holders = {}
        for row in self.fields.rows:
            if row.role:
                holders.setdefault(row.role, []).append(row.name)
        for role, names in holders.items():
            if len(names) > 1:
                self.error(
                    f"fields {', '.join(_quoted(name) for name in names)} would all have the "
                    f"role {role}: at most one field may"
                )

    def _new_field(self, index, where, entry):
        missing = [key for key in ("kind", "group") if getattr(entry, key) is None]
        for key in missing:
            self.error(f'{where}: a new field needs a "{key}"')
        categories = [self._category(name, where) for name in entry.categories or []]
        if missing or None in categories:
            self.broken_fields.add(fold(entry.name))
            return
        row = SpecField(
            name=entry.name,
            slug=_unique_slug(entry.name, self.field_slugs, SpecField, "field"),
            group=self._group(entry.group),
            kind=entry.kind,
            unit=entry.unit or "",
            direction=entry.direction or SpecField.Direction.NONE,
            order=index if entry.order is None else entry.order,
            filterable=bool(entry.filterable),
            key=bool(entry.key),
            role=entry.role or SpecField.Role.NONE,
        )
        self.fields.add(row)
        self.new_fields.append(row)
        self.new_links.extend((row, category) for category in _distinct(categories))
        self.result.new_fields.append(row.name)

    def _field_changes(self, where, row, entry):
        """Apply what the file gives to ``row`` in memory; record each change as old → new."""
        changes = []
        if entry.kind is not None and entry.kind != row.kind:
            self.error(
                f"{where}: {_quoted(row.name)} is a {row.kind} field; a file cannot change "
                f"its kind (to {entry.kind})"
            )
            self.broken_fields.add(fold(row.name))
            return
        if entry.unit is not None and entry.unit != row.unit:
            if not self._unit_change(where, row, entry.unit):
                return
            changes.append(f"unit {row.unit or '(none)'} → {entry.unit or '(none)'}")
            row.unit = entry.unit
        if entry.group is not None:
            group = self._group(entry.group)
            if group.pk is None or group.pk != row.group_id:
                changes.append(f"group {row.group.name} → {group.name}")
                row.group = group
        for attr in ("direction", "order", "filterable", "key", "role"):
            value = getattr(entry, attr)
            if value is not None and value != getattr(row, attr):
                old, new = _plain(getattr(row, attr)) or "(none)", _plain(value) or "(none)"
                changes.append(f"{attr} {old} → {new}")
                setattr(row, attr, value)
        changes.extend(self._categories_added(where, row, entry.categories or []))
        if changes:
            self.changed_fields.append(row)
            self.result.field_changes.append(f"{row.name}: {'; '.join(changes)}")

    def _unit_change(self, where, row, unit):
        """A unit may change within its family; the stored numbers follow it."""
        old_family, new_family = unit_family(row.unit), unit_family(unit)
        if row.unit.strip().lower() == unit.strip().lower():
            return True
        if old_family is None or old_family != new_family:
            old, new = row.unit or "(none)", unit or "(none)"
            self.error(
                f"{where}: the unit of {_quoted(row.name)} cannot change from {old} to {new}: "
                "a file may change a unit only within its family (kg → g, GHz → MHz), "
                "converting the stored numbers"
            )
            self.broken_fields.add(fold(row.name))
            return False
        stored = SpecValue.objects.filter(field=row, number__isnull=False)
        self.conversions[row.pk] = {
            pk: convert(number, row.unit, unit)
            for pk, number in stored.values_list("pk", "number").iterator(chunk_size=CHUNK)
        }
        self.result.values_converted += len(self.conversions[row.pk])
        return True

    def _categories_added(self, where, row, names):
        current = self.field_categories[row.pk]
        wanted = [self._category(name, where) for name in names]
        added = [c for c in _distinct(wanted) if c is not None and c.pk not in current]
        if not added:
            return []
        self.new_links.extend((row, category) for category in added)
        added_ids = {id(category) for category in added}
        old = [c.name for c in self.categories.rows if c.pk in current]
        new = [c.name for c in self.categories.rows if c.pk in current or id(c) in added_ids]
        return [f"categories {', '.join(old) or '(none)'} → {', '.join(new)}"]

    # Devices: matched by slug; only what changed is written.

    def _devices(self, entries):
        valid = [entry for _i, _w, entry, _e in entries if entry is not None]
        slugs = [entry.slug for entry in valid]
        targets = [entry.powered_by for entry in valid if entry.powered_by]
        self.db_devices = {}
        for chunk in _chunks(set(slugs) | set(targets)):
            self.db_devices.update((d.slug, d) for d in Device.objects.filter(slug__in=chunk))
        self.stored_values = self._stored_values(
            [self.db_devices[slug].pk for slug in slugs if slug in self.db_devices]
        )
        self.stored_photos = self._stored_photos(
            [
                self.db_devices[entry.slug].pk
                for entry in valid
                if entry.images is not None and entry.slug in self.db_devices
            ]
        )
        self.photo_plans = []
        self.file_slugs = set(slugs)
        self.new_devices, self.changed_devices, self.new_links_to = [], [], []
        self.values_create, self.values_update, self.values_delete = [], [], []
        self.field_memo = {}
        seen = set()
        for _index, where, entry in self._valid(entries):
            if entry.slug in seen:
                self.error(f"{where}: slug listed twice")
                continue
            seen.add(entry.slug)
            self._device(where, entry)

    def _stored_values(self, device_ids):
        """{device id: {field id: [pk, value, number, source]}}, numbers already in the
        unit this import gives their field."""
        stored = {}
        columns = ("device_id", "field_id", "pk", "value", "number", "source")
        for chunk in _chunks(device_ids):
            rows = SpecValue.objects.filter(device_id__in=chunk).values_list(*columns)
            for device_id, field_id, pk, value, number, source in rows:
                converted = self.conversions.get(field_id, {})
                number = converted.get(pk, number)
                stored.setdefault(device_id, {})[field_id] = [pk, value, number, source]
        return stored

    def _device(self, where, entry):
        before = len(self.errors)
        device = self.db_devices.get(entry.slug)
        is_new = device is None
        if is_new:
            for key in ("name", "brand", "category"):
                if getattr(entry, key) is None:
                    self.error(f"{where}: '{key}' is missing (a new device needs it)")
            device = Device(slug=entry.slug)
        wanted = {}
        if entry.name is not None:
            wanted["name"] = entry.name
        if entry.brand is not None:
            wanted["brand"] = self._brand(entry.brand)
        if entry.category is not None:
            wanted["category"] = self._category(entry.category, where)
        given = entry.model_fields_set
        if "released" in given:
            released = entry.released
            wanted["released"] = released.date if released else None
            wanted["released_precision"] = released.precision if released else Device.Precision.DAY
        if "launch_price" in given:
            wanted["launch_price"] = entry.launch_price
        if "summary" in given:
            wanted["summary"] = entry.summary or ""
        if "powered_by" in given:
            wanted["powered_by"] = self._powered_by(where, entry)
        values = self._values(where, device, entry.specs)
        photos = self._photos(where, device, entry.images) if "images" in given else False
        if len(self.errors) > before:
            return
        changed = self._set(device, wanted)
        if is_new:
            self.new_devices.append(device)
            self.result.devices_new += 1
        elif changed or values or photos:
            self.changed_devices.append((device, changed))
            self.result.devices_updated.append(device.slug)
        else:
            self.result.devices_unchanged += 1

    def _powered_by(self, where, entry):
        slug = entry.powered_by
        if slug is None:
            return None
        if slug == entry.slug:
            self.error(f"{where}: a device cannot power itself")
        elif slug not in self.file_slugs and slug not in self.db_devices:
            self.error(
                f"{where}: 'powered_by' names no device in the file or the catalog: {_quoted(slug)}"
            )
        return slug

    def _set(self, device, wanted):
        """Set what differs on ``device``; the names of the changed attributes."""
        changed = []
        for attr, value in wanted.items():
            if attr in ("brand", "category"):
                if value.pk is None or value.pk != getattr(device, f"{attr}_id"):
                    setattr(device, attr, value)
                    changed.append(attr)
            elif attr == "powered_by":
                current = device.powered_by_id
                target = self.db_devices.get(value) if value else None
                if value and (target is None or target.pk != current):
                    # The target may be new: linked once every new device has its key.
                    self.new_links_to.append((device, value, device.pk is None))
                    changed.append(attr)
                elif value is None and current is not None:
                    device.powered_by = None
                    changed.append(attr)
            elif attr == "released_precision":
                if wanted["released"] is not None and value != device.released_precision:
                    device.released_precision = value
                    changed.append(attr)
            elif getattr(device, attr) != value:
                setattr(device, attr, value)
                changed.append(attr)
        return changed

    def _spec_field(self, name):
        if name not in self.field_memo:
            self.field_memo[name] = self.fields.get(name)
        return self.field_memo[name]

    def _values(self, where, device, specs):
        """Plan the spec values of one device; True if any would change."""
        stored = self.stored_values.get(device.pk, {}) if device.pk else {}
        changed = False
        for name, spec in specs.items():
            spec_field = self._spec_field(name)
            if spec_field is None:
                if fold(name) not in self.broken_fields:
                    self.error(f"{where}: unknown field {_quoted(name)}")
                continue
            if fold(spec_field.name) in self.broken_fields:
                continue
            current = stored.get(spec_field.pk) if spec_field.pk else None
            if spec is None:
                if current is not None:
                    self.values_delete.append(current[0])
                    self.result.values_removed += 1
                    changed = True
                continue
            try:
                text, number = _clean(spec_field, spec)
            except SpecValueError as exc:
                self.error(f"{where}: field {_quoted(spec_field.name)}: {exc}")
                continue
            when = spec.changed_at or self.now
            if current is None:
                value = SpecValue(
                    device=device,
                    field=spec_field,
                    value=text,
                    number=number,
                    source=spec.source,
                    changed_at=when,
                )
                self.values_create.append(value)
                self.result.values_new += 1
                changed = True
            elif current[1:] != [text, number, spec.source]:
                value = SpecValue(pk=current[0], value=text, number=number, source=spec.source)
                value.changed_at = when
                self.values_update.append(value)
                self.result.values_changed += 1
                changed = True
        return changed

    # Photos: read and checked while planning, stored only by ``_write``.

    def _stored_photos(self, device_ids):
        """{device id: [DevicePhoto in order]} of the devices whose entry lists images."""
        stored = {}
        for chunk in _chunks(device_ids):
            for photo in DevicePhoto.objects.filter(device_id__in=chunk).order_by(
                "device_id", "order", "pk"
            ):
                stored.setdefault(photo.device_id, []).append(photo)
        return stored

    def _photos(self, where, device, entries):
        """Plan one device's photos; True if they would change. Each file is read once to
        take its checksum; only a file that matches no stored photo is decoded (checked)."""
        stored = self.stored_photos.get(device.pk, []) if device.pk else []
        known = {c for photo in stored for c in (photo.checksum, photo.source_checksum)}
        wanted = []
        for image in entries or []:
            label = f"{where}: image {_quoted(image.path)}"
            checksum = self._read_image(label, image.path, known)
            if checksum is not None:
                wanted.append((image, checksum, label))
        if len(wanted) < len(entries or []):
            return False

        def same(photo, checksum):
            return checksum in (photo.checksum, photo.source_checksum)

        if len(wanted) == len(stored) and all(
            same(photo, checksum) and image.alt == photo.alt
            for (image, checksum, _label), photo in zip(wanted, stored, strict=True)
        ):
            return False
        unused, steps = list(stored), []
        for order, (image, checksum, label) in enumerate(wanted):
            match = next((photo for photo in unused if same(photo, checksum)), None)
            if match is not None:
                unused.remove(match)
                steps.append((match, image, order, label))
            else:
                steps.append((None, image, order, label))
                self.result.photos_new += 1
        self.result.photos_removed += len(unused)
        self.photo_plans.append((device, steps, [photo.pk for photo in unused]))
        return True

    def _image_path(self, label, path):
        """The file ``path`` names, inside the catalog's folder; None (and an error) else."""
        if self.base_dir is None:
            self.error(f"{label}: images need the catalog's folder: import from a file")
            return None
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts or "\\" in path:
            self.error(f"{label}: must be a path inside the catalog's folder (photos/x.jpg)")
            return None
        return self.base_dir / relative

    def _read_image(self, label, path, known):
        """The checksum of the image at ``path``, checked unless it is ``known``; None and
        an error if it cannot be stored."""
        full = self._image_path(label, path)
        if full is None:
            return None
        try:
            if not full.is_file():
                self.error(f"{label}: no such file")
                return None
            if full.stat().st_size > images.MAX_BYTES:
                raise images.ImageRefused(
                    f"{path} is larger than {images.MAX_BYTES // 1024 // 1024} MB"
                )
            data = full.read_bytes()
            checksum = hashlib.sha256(data).hexdigest()
            if checksum not in known:
                images.open_checked(io.BytesIO(data), path)
        except images.ImageRefused as refused:
            self.error(f"{label}: {refused}")
            return None
        except OSError as error:
            self.error(f"{label}: cannot be read ({error.strerror or error})")
            return None
        return checksum


def _write_photos(plan, written):
    """Store the new photos (adding the files to ``written``) and update the rows."""
    creates, updates, deletes, devices = [], [], [], set()
    for device, steps, removed in plan.photo_plans:
        devices.add(device.pk)
        deletes.extend(removed)
        for photo, image, order, label in steps:
            if photo is not None:
                if (photo.order, photo.alt) != (order, image.alt):
                    photo.order, photo.alt = order, image.alt
                    updates.append(photo)
                continue
            photo = DevicePhoto(device=device, order=order, alt=image.alt)
            try:
                with (plan.base_dir / image.path).open("rb") as file:
                    written.extend(photo.store(file, image.path))
            except (OSError, images.ImageRefused) as error:
                raise CatalogError([f"{label}: {error}"]) from None
            creates.append(photo)
    for chunk in _chunks(deletes):
        DevicePhoto.objects.filter(pk__in=chunk).delete()
    DevicePhoto.objects.bulk_update(updates, ["order", "alt"], batch_size=BATCH)
    DevicePhoto.objects.bulk_create(creates, batch_size=BATCH)
    for chunk in _chunks(devices):
        DevicePhoto.objects.refresh_main(chunk)


def _number_text(number):
    """A JSON number as the text shown for it: 8 -> "8", 1.9e-05 -> "1.9e-05"."""
    if isinstance(number, int) or number.is_integer():
        return str(int(number))
    return repr(number)


def _clean(spec_field, spec):
    """(text, number) to store for ``spec`` (a SpecIn) under ``spec_field`` as this import
    leaves it: the one parser per kind (units.clean_value) decides; an explicit number
    wins over the text, an explicit null keeps a number field's text without a number."""
    raw, kind = spec.value, spec_field.kind
    if kind != SpecField.Kind.NUMBER and spec.number is not None:
        raise SpecValueError(f"a number is given, but this field is {kind}")
    if kind == SpecField.Kind.BOOLEAN:
        return clean_value(spec_field, raw)
    if isinstance(raw, bool):
        raise SpecValueError(f"true/false is only for yes-no fields; this field is {kind}")
    if isinstance(raw, int | float):
        number = check_number(raw, "the value")
        raw = _number_text(raw)
        if kind == SpecField.Kind.NUMBER and "number" not in spec.model_fields_set:
            return raw, number
    if kind == SpecField.Kind.NUMBER and "number" in spec.model_fields_set:
        if spec.number is None:
            return raw, None
        return clean_value(spec_field, raw, spec.number)
    return clean_value(spec_field, raw)


# Writing


def _write(plan, written):
    """Write what the plan found changed, in bulk; the caller holds the transaction and
    deletes the files listed in ``written`` if it fails."""
    for row in [*plan.new_categories, *plan.new_groups]:
        row.save()
    for category in plan.changed_categories:
        category.save(update_fields=["kind"])
    Brand.objects.bulk_create(plan.new_brands, batch_size=BATCH)
    for brand in plan.changed_brands:
        brand.save(update_fields=["description"])
    # Those without a role first: a field handing its role to another loses it before the
    # other takes it (one holder at a time).
    for row in sorted([*plan.new_fields, *plan.changed_fields], key=lambda row: bool(row.role)):
        row.save()
    links = [
        SpecField.categories.through(specfield_id=row.pk, category_id=category.pk)
        for row, category in plan.new_links
    ]
    SpecField.categories.through.objects.bulk_create(links, batch_size=BATCH)
    _convert_numbers(plan)

    Device.objects.bulk_create(plan.new_devices, batch_size=BATCH)
    devices = {**plan.db_devices, **{device.slug: device for device in plan.new_devices}}
    for device, slug, _is_new in plan.new_links_to:
        device.powered_by = devices[slug]
    linked_new = [device for device, _slug, is_new in plan.new_links_to if is_new]
    Device.objects.bulk_update(linked_new, ["powered_by"], batch_size=BATCH)
    changed = {}
    for device, attrs in plan.changed_devices:
        device.updated_at = plan.now
        for attr in [*attrs, "updated_at"]:
            changed.setdefault(attr, []).append(device)
    for attr, devices_changed in changed.items():
        Device.objects.bulk_update(devices_changed, [attr], batch_size=BATCH)

    for chunk in _chunks(plan.values_delete):
        SpecValue.objects.filter(pk__in=chunk).delete()
    columns = ["value", "number", "source", "changed_at"]
    SpecValue.objects.bulk_update(plan.values_update, columns, batch_size=BATCH)
    SpecValue.objects.bulk_create(plan.values_create, batch_size=BATCH)
    _write_photos(plan, written)


def _convert_numbers(plan):
    """Stored numbers of fields whose unit changed, in the new unit. The figure is the
    same, only written in another unit, so ``changed_at`` stays."""
    rewritten = {value.pk for value in plan.values_update}
    converted = [
        SpecValue(pk=pk, number=number)
        for numbers in plan.conversions.values()
        for pk, number in numbers.items()
        if pk not in rewritten
    ]
    SpecValue.objects.bulk_update(converted, ["number"], batch_size=BATCH)


# Exporting


def _number_out(number):
    return int(number) if float(number).is_integer() else number


def export_catalog():
    """The whole catalog as a dict in the import format; a handful of queries."""
    fields = list(SpecField.objects.select_related("group").prefetch_related("categories"))
    kinds = {f.pk: f.kind for f in fields}
    names = {f.pk: f.name for f in fields}
    devices = Device.objects.select_related("brand", "category", "powered_by").order_by("slug")
    specs = {}
    rows = SpecValue.objects.order_by("device_id", *VALUE_SHEET_ORDER).values_list(
        "device_id", "field_id", "value", "number", "source", "changed_at"
    )
    for device_id, field_id, value, number, source, changed_at in rows.iterator(CHUNK):
        specs.setdefault(device_id, {})[names[field_id]] = _spec_out(
            kinds[field_id], value, number, source, changed_at
        )
    photos = {}
    for device_id, path, _name, alt, _checksum in _exported_photos():
        photos.setdefault(device_id, []).append({"path": path, "alt": alt} if alt else path)
    return {
        "categories": [
            {"name": name, "kind": kind}
            for name, kind in Category.objects.values_list("name", "kind")
        ],
        "groups": list(SpecGroup.objects.values_list("name", flat=True)),
        "brands": [
            {"name": brand.name, "description": brand.description} for brand in Brand.objects.all()
        ],
        "fields": [_field_out(spec_field) for spec_field in fields],
        "devices": [
            _device_out(device, specs.get(device.pk, {}), photos.get(device.pk))
            for device in devices
        ],
    }


def _exported_photos():
    """(device id, path in the export, stored name, alt, checksum) of every photo, in order:
    "photos/<slug>/1.jpg", "photos/<slug>/2.png", …"""
    rows = DevicePhoto.objects.order_by("device_id", "order", "pk").values_list(
        "device_id", "device__slug", "image", "alt", "checksum"
    )
    counts = {}
    for device_id, slug, name, alt, checksum in rows.iterator(CHUNK):
        counts[device_id] = counts.get(device_id, 0) + 1
        path = f"photos/{slug}/{counts[device_id]}{PurePosixPath(name).suffix}"
        yield device_id, path, name, alt, checksum


def export_photos(directory, storage=None):
    """Write every stored photo under ``directory`` where ``export_catalog()`` lists it; a
    file already there with the same content is left alone. Returns how many were written."""
    storage = storage or images.default_storage
    directory, written = Path(directory), 0
    for _device_id, path, name, _alt, checksum in _exported_photos():
        target = directory / path
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == checksum:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source:
            target.write_bytes(source.read())
        written += 1
    return written


def _field_out(spec_field):
    return {
        "group": spec_field.group.name,
        "name": spec_field.name,
        "unit": spec_field.unit,
        "kind": spec_field.kind,
        "direction": spec_field.direction,
        "categories": [category.name for category in spec_field.categories.all()],
        "order": spec_field.order,
        "filterable": spec_field.filterable,
        "key": spec_field.key,
        "role": spec_field.role,
    }


def _spec_out(kind, value, number, source, changed_at):
    """Always the object form: it carries the number as stored and when it last changed,
    so an import of the export restores both."""
    out = {"value": value}
    if kind == SpecField.Kind.NUMBER:
        out["number"] = None if number is None else _number_out(number)
    if source:
        out["source"] = source
    out["changed_at"] = changed_at.isoformat()
    return out


def _device_out(device, specs, photos=None):
    price = device.launch_price
    out = {
        "name": device.name,
        "slug": device.slug,
        "brand": device.brand.name,
        "category": device.category.name,
        "released": device.released_iso,
        "powered_by": device.powered_by.slug if device.powered_by else None,
        "launch_price": None if price is None else _number_out(float(price)),
        "summary": device.summary,
    }
    if photos:
        out["images"] = photos
    out["specs"] = specs
    return out


def dumps(data):
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
