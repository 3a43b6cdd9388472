"""The catalog as a file: ``export_catalog()`` writes what the importer reads, so export →
import into an empty database → export gives the same file, sources and dates included.
``export_photos()`` writes the stored photos where the exported file says.
"""

import hashlib
import json
from pathlib import Path, PurePosixPath

from core import images

from ..models import (
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
from .matching import CHUNK


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
