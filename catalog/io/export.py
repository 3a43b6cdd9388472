"""The catalog as a file: ``export_catalog()`` writes what the importer reads, so export →
import into an empty database → export gives the same file, sources and dates included.
``export_photos()`` writes the stored photos where the exported file says, and
``export_zip()`` puts both in one ZIP. ``csv_rows()`` is the same catalog for a spreadsheet.
Each takes an optional queryset of the devices to export (all of them by default).
"""

import hashlib
import json
import zipfile
from pathlib import Path, PurePosixPath

from django.db.models import Q

from core import images

from ..models import (
    SHEET_ORDER,
    VALUE_SHEET_ORDER,
    Brand,
    Category,
    Device,
    DevicePhoto,
    SpecField,
    SpecGroup,
    SpecValue,
    in_kind_order,
)
from .matching import CHUNK, _chunks

ZIP_CATALOG_NAME = "catalog.json"


def _number_out(number):
    return int(number) if float(number).is_integer() else number


def exported_devices(devices=None):
    """The devices an export of ``devices`` (a queryset; None for all) holds: those, and
    the devices they are powered by, so that the file imports on its own."""
    if devices is None:
        return Device.objects.all()
    return Device.objects.filter(
        Q(pk__in=devices.values("pk")) | Q(pk__in=devices.values("powered_by"))
    )


def _of_devices(rows, devices):
    """``rows`` (spec values or photos) of ``exported_devices(devices)``."""
    if devices is None:
        return rows.all()
    return rows.filter(device__in=exported_devices(devices).values("pk"))


def export_catalog(devices=None):
    """The catalog as a dict in the import format, a handful of queries: its whole schema
    (categories, groups, brands, fields) and ``exported_devices(devices)``."""
    fields = list(SpecField.objects.select_related("group").prefetch_related("categories"))
    kinds = {f.pk: f.kind for f in fields}
    names = {f.pk: f.name for f in fields}
    chosen = exported_devices(devices).select_related("brand", "category", "powered_by")
    specs = {}
    rows = _of_devices(SpecValue.objects, devices)
    rows = rows.order_by("device_id", *VALUE_SHEET_ORDER).values_list(
        "device_id", "field_id", "value", "number", "source", "changed_at"
    )
    for device_id, field_id, value, number, source, changed_at in rows.iterator(CHUNK):
        specs.setdefault(device_id, {})[names[field_id]] = _spec_out(
            kinds[field_id], value, number, source, changed_at
        )
    photos = {}
    for device_id, path, _name, alt, _checksum in _exported_photos(devices):
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
            for device in chosen.order_by("slug")
        ],
    }


def _exported_photos(devices):
    """(device id, path in the export, stored name, alt, checksum) of the photos of
    ``exported_devices(devices)``, in order: "photos/<slug>/1.jpg", "photos/<slug>/2.png", …"""
    rows = (
        _of_devices(DevicePhoto.objects, devices)
        .order_by("device_id", "order", "pk")
        .values_list("device_id", "device__slug", "image", "alt", "checksum")
    )
    counts = {}
    for device_id, slug, name, alt, checksum in rows.iterator(CHUNK):
        counts[device_id] = counts.get(device_id, 0) + 1
        path = f"photos/{slug}/{counts[device_id]}{PurePosixPath(name).suffix}"
        yield device_id, path, name, alt, checksum


def export_photos(directory, storage=None, devices=None):
    """Write the stored photos under ``directory`` where ``export_catalog(devices)`` lists
    them; a file already there with the same content is left alone. Returns how many were
    written."""
    storage = storage or images.default_storage
    directory, written = Path(directory), 0
    for _device_id, path, name, _alt, checksum in _exported_photos(devices):
        target = directory / path
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == checksum:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source:
            target.write_bytes(source.read())
        written += 1
    return written


def _field_out(spec_field):
    out = {
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
    if spec_field.is_number:
        out["plausible"] = in_kind_order(spec_field.plausible)
    return out


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
        "status": device.status or None,
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


def export_zip(file, devices=None, storage=None):
    """Write a ZIP to ``file`` (a path or a binary file): ``catalog.json`` and the photos
    where it lists them, as the admin's import takes it back. Returns the catalog dict."""
    storage = storage or images.default_storage
    data = export_catalog(devices)
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(ZIP_CATALOG_NAME, dumps(data))
        for _device_id, path, name, _alt, _checksum in _exported_photos(devices):
            # Photos are compressed already.
            with storage.open(name, "rb") as source:
                archive.writestr(path, source.read(), compress_type=zipfile.ZIP_STORED)
    return data


# The CSV's columns before the spec fields, one per device attribute.
CSV_COLUMNS = ["name", "slug", "brand", "category", "released", "status", "launch_price"]
# A cell a spreadsheet would run as a formula ("=HYPERLINK(…)"): written with a quote first.
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def csv_rows(devices=None):
    """The header, then one row per device of ``exported_devices(devices)``: CSV_COLUMNS,
    then every spec field of their categories, in sheet order, holding the value as shown.
    Generated BATCH devices at a time, so a big export stays small in memory."""
    chosen = exported_devices(devices)
    fields = list(
        SpecField.objects.filter(categories__in=chosen.values("category"))
        .distinct()
        .order_by(*SHEET_ORDER)
        .values_list("pk", "name")
    )
    yield [*CSV_COLUMNS, *(name for _pk, name in fields)]
    ids = list(chosen.order_by("slug").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        rows = Device.objects.filter(pk__in=chunk).select_related("brand", "category")
        values = {}
        for device_id, field_id, value in SpecValue.objects.filter(device_id__in=chunk).values_list(
            "device_id", "field_id", "value"
        ):
            values.setdefault(device_id, {})[field_id] = value
        for device in rows.order_by("slug"):
            price = device.launch_price
            cells = [
                device.name,
                device.slug,
                device.brand.name,
                device.category.name,
                device.released_iso or "",
                device.status,
                "" if price is None else str(_number_out(float(price))),
            ]
            own = values.get(device.pk, {})
            cells += [own.get(pk, "") for pk, _name in fields]
            yield [spreadsheet_safe(cell) for cell in cells]


def spreadsheet_safe(text):
    """``text`` as a spreadsheet shows it, never as a formula it runs."""
    if text.startswith(FORMULA_STARTS) or (text.startswith("-") and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
