"""Planning an import, writing nothing: on top of the format, the planner checks what only the
file and the database together can tell (categories, fields, ``powered_by``, kinds and units)
and works out what would change. ``ImportResult`` is its summary, the same for a dry run and
the real one.

Photos: a device's ``"images"`` lists files relative to the catalog file. Each is read and
checked here (core.images: size, pixels, a readable image), so a bad one stops the import
before anything is written; one whose checksum matches the stored photo is not even decoded.
"""

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.utils import timezone

from core import images
from core.search import fold_name

from ..models import (
    Brand,
    Category,
    Device,
    DevicePhoto,
    SpecField,
    SpecGroup,
    SpecValue,
    in_kind_order,
)
from ..units import (
    SpecValueError,
    check_number,
    clean_value,
    convert,
    format_number,
    unit_family,
)
from .format import BrandIn, CatalogError, CatalogIn, DeviceIn, FieldIn
from .matching import CHUNK, _chunks, _Names, _unique_slug
from .messages import _plain, _quoted, _validate, _where


def _next_order(model):
    last = model.objects.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


def _distinct(rows):
    """``rows`` without repeats, in order; unsaved rows have no hash, so by identity."""
    seen = set()
    return [row for row in rows if id(row) not in seen and not seen.add(id(row))]


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
    # "Outlier: <slug> — Weight 1,276,409 g is outside 50–1,000 g for a phone", one per value
    # the import writes outside its field's plausible range for the device's kind.
    outliers: list = field(default_factory=list)

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
        lines.extend(self.outliers)
        return lines


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
                self.broken_fields.add(fold_name(name))
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
            key = fold_name(entry.name)
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
            key = fold_name(entry.name)
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
        ranges_fit = missing or self._ranges_fit(where, entry.kind, entry.plausible)
        if missing or None in categories or not ranges_fit:
            self.broken_fields.add(fold_name(entry.name))
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
            plausible=entry.plausible or {},
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
            self.broken_fields.add(fold_name(row.name))
            return
        if not self._ranges_fit(where, row.kind, entry.plausible):
            self.broken_fields.add(fold_name(row.name))
            return
        old_ranges, old_unit = row.plausible, row.unit
        ranges = row.plausible
        if entry.unit is not None and entry.unit != row.unit:
            if not self._unit_change(where, row, entry.unit):
                return
            changes.append(f"unit {row.unit or '(none)'} → {entry.unit or '(none)'}")
            ranges = _converted_ranges(ranges, row.unit, entry.unit)
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
        ranges = {**ranges, **(entry.plausible or {})}
        if ranges != old_ranges:
            old, new = _ranges_text(old_ranges, old_unit), _ranges_text(ranges, row.unit)
            changes.append(f"plausible {old} → {new}")
            row.plausible = ranges
        if changes:
            self.changed_fields.append(row)
            self.result.field_changes.append(f"{row.name}: {'; '.join(changes)}")

    def _ranges_fit(self, where, kind, ranges):
        """Plausible ranges are for number fields only."""
        if ranges and kind != SpecField.Kind.NUMBER:
            self.error(f"{where}: 'plausible' is for number fields only; this field is {kind}")
            return False
        return True

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
            self.broken_fields.add(fold_name(row.name))
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
        self.category_rows = {row.pk: row for row in self.categories.rows if row.pk}
        self.new_devices, self.changed_devices, self.new_links_to = [], [], []
        self.values_create, self.values_update, self.values_delete = [], [], []
        self.field_memo = {}
        # Where each device's rows end in the lists above (they are planned device by
        # device): the writer writes them a slice of devices at a time.
        self.device_ends = []
        seen = set()
        for _index, where, entry in self._valid(entries):
            if entry.slug in seen:
                self.error(f"{where}: slug listed twice")
                continue
            seen.add(entry.slug)
            self._device(where, entry)
            self.device_ends.append(
                (
                    len(self.values_delete),
                    len(self.values_update),
                    len(self.values_create),
                    len(self.photo_plans),
                )
            )

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
        if "status" in given:
            wanted["status"] = entry.status or ""
        if "launch_price" in given:
            wanted["launch_price"] = entry.launch_price
        if "summary" in given:
            wanted["summary"] = entry.summary or ""
        if "powered_by" in given:
            wanted["powered_by"] = self._powered_by(where, entry)
        category = wanted.get("category") or self.category_rows.get(device.category_id)
        kind = category.kind if category is not None else None
        values = self._values(where, device, kind, entry.specs)
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

    def _values(self, where, device, kind, specs):
        """Plan the spec values of one device (of category ``kind``); True if any would
        change. A value written outside its field's plausible range is listed."""
        stored = self.stored_values.get(device.pk, {}) if device.pk else {}
        changed = False
        for name, spec in specs.items():
            spec_field = self._spec_field(name)
            if spec_field is None:
                if fold_name(name) not in self.broken_fields:
                    self.error(f"{where}: unknown field {_quoted(name)}")
                continue
            if fold_name(spec_field.name) in self.broken_fields:
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
            if current is None or current[1:] != [text, number, spec.source]:
                self._outlier(device, spec_field, number, kind)
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

    def _outlier(self, device, spec_field, number, kind):
        problem = spec_field.outside_plausible(number, kind)
        if problem:
            self.result.outliers.append(f"Outlier: {device.slug} — {problem}")

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

    def _read_image(self, label, path, known):
        """The checksum of the image at ``path``, checked unless it is ``known``; None and
        an error if it cannot be stored."""
        if self.base_dir is None:
            self.error(f"{label}: images need the catalog's folder: import from a file")
            return None
        try:
            full = image_file(self.base_dir, path)
            if full is None:
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
        except (images.ImageRefused, OutsideFolder) as refused:
            self.error(f"{label}: {refused}")
            return None
        except OSError as error:
            self.error(f"{label}: cannot be read ({error.strerror or error})")
            return None
        return checksum


class OutsideFolder(ValueError):
    """An image path that leads out of the catalog's folder."""


def image_file(base_dir, path):
    """The file ``path`` (relative to ``base_dir``) names, symbolic links followed; None if
    there is no such file. OutsideFolder if the path, or a link on its way, leads out of
    ``base_dir``: a catalog names its own photos, never a file elsewhere on the server."""
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or "\\" in path:
        raise OutsideFolder("must be a path inside the catalog's folder (photos/x.jpg)")
    folder = Path(base_dir).resolve(strict=True)
    try:
        full = (folder / relative).resolve(strict=True)
    except FileNotFoundError:
        return None
    if not full.is_relative_to(folder):
        raise OutsideFolder(
            "leads out of the catalog's folder (a symbolic link); copy the file into it"
        )
    return full if full.is_file() else None


def _converted_ranges(ranges, old_unit, new_unit):
    """Plausible ranges in ``old_unit`` written in ``new_unit`` (of the same family)."""
    if old_unit.strip().lower() == new_unit.strip().lower():
        return ranges
    return {
        kind: [_tidy(convert(end, old_unit, new_unit)) for end in bounds]
        for kind, bounds in ranges.items()
    }


def _tidy(number):
    return int(number) if float(number).is_integer() else number


def _ranges_text(ranges, unit):
    """Plausible ranges for a summary line: "phone 50–1,000 g, laptop 300–10,000 g"."""
    if not ranges:
        return "(none)"
    return ", ".join(
        f"{kind} {format_number(low)}–{format_number(high, unit)}"
        for kind, (low, high) in in_kind_order(ranges).items()
    )


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
