"""The catalog file's format, declared once as strict pydantic models (``CatalogIn`` and the
entries below it), with the checks of single values; limits come from the models, never
retyped. ``parse_json`` decodes a file; ``CatalogError`` carries every problem found in one.
"""

import datetime
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import slugify
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    model_validator,
)
from pydantic import Field as Limits
from pydantic_core import PydanticCustomError

from ..models import (
    COMPARISON_SEPARATOR,
    Brand,
    Category,
    Device,
    DevicePhoto,
    SpecField,
    SpecGroup,
    SpecValue,
    clean_plausible,
)
from ..units import SpecValueError


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
DeviceStatus = Literal[tuple(Device.Status.values)]
Direction = Literal[tuple(SpecField.Direction.values)]
Role = Literal[tuple(SpecField.Role.values)]
ORDER_MIN, ORDER_MAX = BaseDatabaseOperations.integer_field_ranges[
    SpecField._meta.get_field("order").get_internal_type()
]


def _plausible(ranges):
    """{"phone": [50, 1000], …}: the one rule (models.clean_plausible) decides."""
    try:
        return clean_plausible(ranges)
    except SpecValueError as error:
        raise PydanticCustomError("message", f"is not valid: {error}") from None


class FieldIn(_Strict):
    """A spec field; every key but the name may be left out to keep what is stored
    (``plausible`` sets the ranges of the kinds it names and keeps the others)."""

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
    plausible: Annotated[dict[str, Any], AfterValidator(_plausible)] | None = None


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
    stored; null ``released``, ``status``, ``powered_by``, ``launch_price`` or a spec clears
    it (a null ``status`` is unknown).
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
    status: DeviceStatus | None = None
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
