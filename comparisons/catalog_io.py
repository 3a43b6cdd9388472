"""Read and write the catalog's JSON format (SPEC.md, "Devices and specs").

An import is checked whole before anything is written and then applied in one
transaction: every entry lands or none does, and every bad entry is named with
its reason. ``export_catalog()`` writes what ``import_catalog()`` reads, so an
export imported into an empty database exports the same again.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.text import slugify

from core.content import content_changed
from core.db import refresh_planner_statistics

from .models import Brand, Category, Device, SpecField, SpecGroup, SpecValue, parse_number

TOP_KEYS = {"categories", "groups", "brands", "fields", "devices"}
BRAND_KEYS = {"name", "description"}
FIELD_KEYS = {
    *("name", "group", "unit", "kind", "direction", "categories"),
    *("order", "filterable", "key"),
}
DEVICE_KEYS = {
    *("name", "slug", "brand", "category", "released", "powered_by"),
    *("launch_price", "summary", "specs"),
}
YES = {"yes", "true"}
NO = {"no", "false"}
MAX_PRICE = Decimal("9999999.99")


class CatalogError(Exception):
    """Raised with every problem found in a file; nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class ImportResult:
    devices_new: int = 0
    devices_updated: int = 0
    fields: int = 0
    brands: int = 0

    def __str__(self):
        devices = self.devices_new + self.devices_updated
        return (
            f"Imported {_plural(devices, 'device')} ({self.devices_new} new, "
            f"{self.devices_updated} updated), {_plural(self.fields, 'field')}, "
            f"{_plural(self.brands, 'brand')}"
        )


def _plural(count, noun):
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def parse_json(text):
    """The decoded file, or CatalogError naming the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            [f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None


def import_catalog(data):
    """Check ``data`` (decoded JSON) whole, then apply it in one transaction.

    Raises CatalogError listing every problem, having changed nothing.
    """
    with transaction.atomic():
        plan = _Checker(data).check()
        result = _apply(plan)
    content_changed()
    refresh_planner_statistics()
    return result


# Checking


def _describe(value):
    return json.dumps(value, ensure_ascii=False)


def _text(value):
    return isinstance(value, str) and value.strip() != ""


class _Checker:
    """Validates a decoded file against itself and the database; collects every error."""

    def __init__(self, data):
        self.data = data
        self.errors = []

    def error(self, message):
        self.errors.append(message)

    def check(self):
        data = self.data
        if not isinstance(data, dict):
            raise CatalogError(['the file must hold a JSON object with "devices" and "fields"'])
        for key in sorted(set(data) - TOP_KEYS):
            self.error(f"unknown top-level key '{key}' (expected {', '.join(sorted(TOP_KEYS))})")
        lists = {}
        for key in TOP_KEYS:
            value = data.get(key, [])
            if not isinstance(value, list):
                self.error(f'"{key}" must be a list')
                value = []
            lists[key] = value

        self.categories = {c.name: c for c in Category.objects.all()}
        self.db_fields = {f.name: f for f in SpecField.objects.all()}
        self.new_categories = self._names(lists["categories"], "categories", self.categories)
        self.known_categories = set(self.categories) | set(self.new_categories)
        self.groups = self._names(lists["groups"], "groups", {})
        self.brands = self._brands(lists["brands"])
        self.kinds = {name: f.kind for name, f in self.db_fields.items()}
        self.fields = self._fields(lists["fields"])
        self.devices = self._devices(lists["devices"])
        if self.errors:
            raise CatalogError(self.errors)
        return self

    def _names(self, items, key, existing):
        names = []
        for i, name in enumerate(items):
            if not _text(name):
                self.error(f'"{key}" entry {i}: expected a name, got {_describe(name)}')
            elif name.strip() not in names:
                names.append(name.strip())
        return [n for n in names if n not in existing]

    def _brands(self, items):
        brands = {}
        for i, entry in enumerate(items):
            where = f"brand {i}"
            if not isinstance(entry, dict):
                self.error(f"{where}: expected an object, got {_describe(entry)}")
                continue
            for key in sorted(set(entry) - BRAND_KEYS):
                self.error(f"{where}: unknown key '{key}'")
            name = entry.get("name")
            if not _text(name):
                self.error(f'{where}: missing "name"')
                continue
            description = entry.get("description", "")
            if not isinstance(description, str):
                self.error(f"{where} ({name}): description must be text")
                continue
            brands[name.strip()] = description
        return brands

    def _fields(self, items):
        fields, seen = [], set()
        for i, entry in enumerate(items):
            if not isinstance(entry, dict):
                self.error(f"field {i}: expected an object, got {_describe(entry)}")
                continue
            name = entry.get("name")
            if not _text(name):
                self.error(f'field {i}: missing "name"')
                continue
            name = name.strip()
            where = f"field {i} ({name})"
            if name in seen:
                self.error(f"{where}: listed twice")
                continue
            seen.add(name)
            clean = self._field(entry, name, where)
            if clean is not None:
                fields.append(clean)
        return fields

    def _field(self, entry, name, where):
        before = len(self.errors)
        for key in sorted(set(entry) - FIELD_KEYS):
            self.error(f"{where}: unknown key '{key}'")
        existing = self.db_fields.get(name)
        clean = {"name": name}
        kind = entry.get("kind")
        if kind is not None and kind not in SpecField.Kind.values:
            self.error(f"{where}: kind {_describe(kind)} is not one of {SpecField.Kind.values}")
        elif existing is not None and kind is not None and kind != existing.kind:
            self.error(f"field '{name}' is {existing.kind}; a file cannot change its kind")
        elif existing is None and kind is None:
            self.error(f'{where}: a new field needs a "kind" ({", ".join(SpecField.Kind.values)})')
        else:
            clean["kind"] = self.kinds[name] = kind or existing.kind
        group = entry.get("group")
        if group is not None and not _text(group):
            self.error(f"{where}: group must be a name, got {_describe(group)}")
        elif group is None and existing is None:
            self.error(f'{where}: a new field needs a "group"')
        elif group is not None:
            clean["group"] = group.strip()
            if clean["group"] not in self.groups:
                self.groups.append(clean["group"])
        if "unit" in entry:
            unit = entry["unit"] if entry["unit"] is not None else ""
            if not isinstance(unit, str) or len(unit) > 20:
                self.error(f"{where}: unit must be text of at most 20 characters")
            else:
                clean["unit"] = unit
        direction = entry.get("direction")
        if direction is not None:
            if direction not in SpecField.Direction.values:
                self.error(
                    f"{where}: direction {_describe(direction)} is not one of "
                    f"{SpecField.Direction.values}"
                )
            else:
                clean["direction"] = direction
        if "categories" in entry:
            categories = entry["categories"]
            if not isinstance(categories, list):
                self.error(f"{where}: categories must be a list of names")
            else:
                for category in categories:
                    if category not in self.known_categories:
                        self.error(f"{where}: unknown category {_describe(category)}")
                clean["categories"] = categories
        if "order" in entry:
            order = entry["order"]
            if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 32767:
                self.error(f"{where}: order must be a whole number from 0 to 32767")
            else:
                clean["order"] = order
        for flag in ("filterable", "key"):
            if flag in entry:
                if not isinstance(entry[flag], bool):
                    self.error(f"{where}: {flag} must be true or false")
                else:
                    clean[flag] = entry[flag]
        return clean if len(self.errors) == before else None

    def _devices(self, items):
        entries = [e for e in items if isinstance(e, dict)]
        file_slugs = [e.get("slug") for e in entries if isinstance(e.get("slug"), str)]
        lookups = file_slugs + [
            e.get("powered_by") for e in entries if isinstance(e.get("powered_by"), str)
        ]
        self.db_devices = {d.slug: d for d in Device.objects.filter(slug__in=lookups)}
        self.known_slugs = set(self.db_devices) | set(file_slugs)
        devices, seen = [], set()
        for i, entry in enumerate(items):
            if not isinstance(entry, dict):
                self.error(f"device {i}: expected an object, got {_describe(entry)}")
                continue
            clean = self._device(i, entry, seen)
            if clean is not None:
                devices.append(clean)
        return devices

    def _device(self, i, entry, seen):
        before = len(self.errors)
        slug = entry.get("slug")
        where = f"device {i} ({slug})" if isinstance(slug, str) and slug else f"device {i}"
        for key in sorted(set(entry) - DEVICE_KEYS):
            self.error(f"{where}: unknown key '{key}'")
        clean = {}
        if not _text(slug):
            self.error(f'{where}: missing "slug"')
        elif "-vs-" in slug:
            self.error(f'{where}: a slug cannot contain "-vs-" (comparison URLs split on it)')
        elif slugify(slug) != slug or len(slug) > 200:
            self.error(
                f"{where}: slug must be lower-case letters, digits and hyphens (at most 200)"
            )
        elif slug in seen:
            self.error(f"{where}: slug listed twice")
        else:
            seen.add(slug)
            clean["slug"] = slug
        existing = self.db_devices.get(slug) if isinstance(slug, str) else None
        clean["existing"] = existing
        for key, limit in (("name", 200), ("brand", 100), ("category", 100)):
            value = entry.get(key)
            if value is None and existing is not None:
                continue
            if not _text(value):
                self.error(f'{where}: missing "{key}"')
            elif len(value.strip()) > limit:
                self.error(f"{where}: {key} is longer than {limit} characters")
            else:
                clean[key] = value.strip()
        if clean.get("category") and clean["category"] not in self.known_categories:
            self.error(f"{where}: unknown category {_describe(clean['category'])}")
        if "released" in entry:
            clean["released"] = self._date(entry["released"], where)
        if "launch_price" in entry:
            clean["launch_price"] = self._price(entry["launch_price"], where)
        if "summary" in entry:
            if not isinstance(entry["summary"], str | None):
                self.error(f"{where}: summary must be text")
            else:
                clean["summary"] = entry["summary"] or ""
        if "powered_by" in entry:
            powered_by = entry["powered_by"]
            if powered_by is not None and powered_by not in self.known_slugs:
                self.error(f"{where}: powered_by: unknown device {_describe(powered_by)}")
            elif powered_by is not None and powered_by == slug:
                self.error(f"{where}: a device cannot power itself")
            else:
                clean["powered_by"] = powered_by
        specs = entry.get("specs", {})
        if not isinstance(specs, dict):
            self.error(f'{where}: "specs" must be an object of field name to value')
            specs = {}
        clean["specs"] = {}
        for name, raw in specs.items():
            value = self._spec(name, raw, where)
            if value is not False:
                clean["specs"][name] = value
        return clean if len(self.errors) == before else None

    def _date(self, value, where):
        if value is None:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(f"{where}: released {_describe(value)} is not a date (YYYY-MM-DD)")

    def _price(self, value, where):
        if value is None:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            price = Decimal(str(value)).quantize(Decimal("0.01"))
            if not 0 <= price <= MAX_PRICE:
                raise InvalidOperation
            return price
        except InvalidOperation:
            self.error(f"{where}: launch_price {_describe(value)} is not a price in USD")

    def _spec(self, name, raw, where):
        """(text, number) for one spec value; None removes the value; False on error."""
        kind = self.kinds.get(name)
        if kind is None:
            self.error(f"{where}: unknown field '{name}'")
            return False
        if raw is None:
            return None
        number = None
        if isinstance(raw, dict):
            extra = set(raw) - {"value", "number"}
            if extra:
                self.error(f"{where}: field '{name}': unknown key '{sorted(extra)[0]}'")
                return False
            text, number = raw.get("value"), raw.get("number")
            explicit = "number" in raw
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, int | float)
            ):
                self.error(f"field '{name}' is a number; number {_describe(number)} is not one")
                return False
        else:
            text, explicit = raw, False
        if kind == SpecField.Kind.BOOLEAN:
            word = str(text).lower() if isinstance(text, bool | str) else None
            if word in YES:
                return ("Yes", None)
            if word in NO:
                return ("No", None)
            self.error(
                f"{where}: field '{name}' is yes-no; value {_describe(text)} is not Yes or No"
            )
            return False
        if isinstance(text, int | float) and not isinstance(text, bool):
            text = f"{text:g}"
        if not _text(text) or len(text) > 255:
            self.error(
                f"{where}: field '{name}': value {_describe(text)} must be text "
                "of 1 to 255 characters"
            )
            return False
        if kind == SpecField.Kind.NUMBER:
            # {"value": "n/a", "number": null} keeps a number field's value without a number.
            if explicit:
                return (text, None if number is None else float(number))
            number = parse_number(text)
            if number is None:
                self.error(
                    f"{where}: field '{name}' is a number; value {_describe(text)} "
                    'holds no number (give {"value": …, "number": …})'
                )
                return False
            return (text, number)
        return (text, None)


# Applying


def _unique_slug(name, taken, limit=100):
    base = (slugify(name) or "item")[:limit]
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug, n = base[: limit - len(suffix)] + suffix, n + 1
    taken.add(slug)
    return slug


def _next_order(model):
    last = model.objects.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


def _apply(plan):
    result = ImportResult(fields=len(plan.fields))

    categories = plan.categories
    taken = set(Category.objects.values_list("slug", flat=True))
    order = _next_order(Category)
    for i, name in enumerate(plan.new_categories):
        slug = _unique_slug(name, taken)
        categories[name] = Category.objects.create(name=name, slug=slug, order=order + i)

    groups = {g.name: g for g in SpecGroup.objects.all()}
    order = _next_order(SpecGroup)
    for name in plan.groups:
        if name not in groups:
            groups[name] = SpecGroup.objects.create(name=name, order=order)
            order += 1

    _apply_fields(plan, groups, categories)

    brand_names = set(plan.brands) | {d["brand"] for d in plan.devices if "brand" in d}
    brands = {b.name: b for b in Brand.objects.filter(name__in=brand_names)}
    taken = set(Brand.objects.values_list("slug", flat=True))
    for name in sorted(brand_names):
        description = plan.brands.get(name)
        brand = brands.get(name)
        if brand is None:
            slug = _unique_slug(name, taken)
            brands[name] = Brand.objects.create(name=name, slug=slug, description=description or "")
        elif description is not None and brand.description != description:
            brand.description = description
            brand.save(update_fields=["description"])
    result.brands = len(brand_names)

    devices = _apply_devices(plan, brands, categories, result)
    _apply_specs(plan, devices)
    return result


def _apply_fields(plan, groups, categories):
    taken = set(SpecField.objects.values_list("slug", flat=True))
    for position, entry in enumerate(plan.fields):
        field = plan.db_fields.get(entry["name"])
        if field is None:
            field = SpecField(
                name=entry["name"],
                slug=_unique_slug(entry["name"], taken),
                kind=entry["kind"],
                order=position,
            )
        changed = field.pk is None
        attrs = {
            k: entry[k] for k in ("unit", "direction", "order", "filterable", "key") if k in entry
        }
        if "group" in entry:
            attrs["group_id"] = groups[entry["group"]].pk
        for attr, value in attrs.items():
            if getattr(field, attr) != value:
                setattr(field, attr, value)
                changed = True
        if changed:
            field.save()
        if "categories" in entry:
            wanted = {categories[name].pk for name in entry["categories"]}
            if set(field.categories.values_list("pk", flat=True)) != wanted:
                field.categories.set(wanted)
        plan.db_fields[field.name] = field


def _apply_devices(plan, brands, categories, result):
    """Create or update every device, then link powered_by (it may point forward)."""
    devices = dict(plan.db_devices)
    for entry in plan.devices:
        device = entry["existing"] or Device(slug=entry["slug"])
        is_new = device.pk is None
        attrs = {k: entry[k] for k in ("name", "released", "launch_price", "summary") if k in entry}
        if "brand" in entry:
            attrs["brand_id"] = brands[entry["brand"]].pk
        if "category" in entry:
            attrs["category_id"] = categories[entry["category"]].pk
        changed = is_new
        for attr, value in attrs.items():
            if getattr(device, attr) != value:
                setattr(device, attr, value)
                changed = True
        if changed:
            device.save()
        devices[device.slug] = device
        if is_new:
            result.devices_new += 1
        else:
            result.devices_updated += 1
    for entry in plan.devices:
        if "powered_by" not in entry:
            continue
        device = devices[entry["slug"]]
        target = devices[entry["powered_by"]].pk if entry["powered_by"] else None
        if device.powered_by_id != target:
            device.powered_by_id = target
            device.save(update_fields=["powered_by", "updated_at"])
    return devices


def _apply_specs(plan, devices):
    file_devices = [devices[entry["slug"]] for entry in plan.devices]
    existing = {
        (v.device_id, v.field_id): v for v in SpecValue.objects.filter(device__in=file_devices)
    }
    create, update, delete = [], [], []
    for entry, device in zip(plan.devices, file_devices, strict=True):
        for name, spec in entry["specs"].items():
            field = plan.db_fields[name]
            current = existing.get((device.pk, field.pk))
            if spec is None:
                if current is not None:
                    delete.append(current.pk)
            elif current is None:
                create.append(SpecValue(device=device, field=field, value=spec[0], number=spec[1]))
            elif (current.value, current.number) != spec:
                current.value, current.number = spec
                update.append(current)
    SpecValue.objects.filter(pk__in=delete).delete()
    SpecValue.objects.bulk_update(update, ["value", "number"], batch_size=500)
    SpecValue.objects.bulk_create(create, batch_size=500)


# Exporting


def _number_out(number):
    return int(number) if float(number).is_integer() else number


def export_catalog():
    """The whole catalog as a dict in the import format; a handful of queries."""
    fields = list(SpecField.objects.select_related("group").prefetch_related("categories"))
    devices = Device.objects.select_related("brand", "category", "powered_by").order_by("slug")
    specs = {}
    for value in SpecValue.objects.select_related("field").order_by(
        "device_id", "field__group__order", "field__group__name", "field__order", "field__name"
    ):
        specs.setdefault(value.device_id, {})[value.field.name] = _spec_out(value)
    return {
        "categories": list(Category.objects.values_list("name", flat=True)),
        "groups": list(SpecGroup.objects.values_list("name", flat=True)),
        "brands": [
            {"name": brand.name, "description": brand.description} for brand in Brand.objects.all()
        ],
        "fields": [_field_out(field) for field in fields],
        "devices": [_device_out(device, specs.get(device.pk, {})) for device in devices],
    }


def _field_out(field):
    return {
        "group": field.group.name,
        "name": field.name,
        "unit": field.unit,
        "kind": field.kind,
        "direction": field.direction,
        "categories": [category.name for category in field.categories.all()],
        "order": field.order,
        "filterable": field.filterable,
        "key": field.key,
    }


def _spec_out(value):
    if value.field.kind != SpecField.Kind.NUMBER:
        return value.value
    if value.number is not None and value.number == parse_number(value.value):
        return value.value
    number = None if value.number is None else _number_out(value.number)
    return {"value": value.value, "number": number}


def _device_out(device, specs):
    price = device.launch_price
    return {
        "name": device.name,
        "slug": device.slug,
        "brand": device.brand.name,
        "category": device.category.name,
        "released": device.released.isoformat() if device.released else None,
        "powered_by": device.powered_by.slug if device.powered_by else None,
        "launch_price": None if price is None else _number_out(float(price)),
        "summary": device.summary,
        "specs": specs,
    }


def dumps(data):
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
