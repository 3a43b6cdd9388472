"""Rivals: the devices a device page suggests comparing it with."""

import math

from django.db import connection

from catalog.models import Brand, Device, SpecValue

RIVAL_CANDIDATES = 8
# Key figures compared between a device and its candidates.
RIVAL_KEY_FIELDS = 4
# What the rivals list shows of a candidate (the rest is deferred).
CANDIDATE_FIELDS = (
    "pk",
    "name",
    "slug",
    "brand",
    "category",
    "released",
    "released_precision",
    "launch_price",
    "image",
    "distinguisher",
    "status",
)


def _column(model, name):
    """The quoted column of ``model``'s field ``name`` ("pk" for its key)."""
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    return connection.ops.quote_name(field.column)


def _neighbours(device):
    """The nearest cheaper and dearer devices in ``device``'s category (index
    device_cat_price), else the nearest older and newer (index device_cat_released), else
    the newest, undated last, cancelled devices left out: [(sql, params)] of id lists, each
    one bounded index range scan."""
    ops = connection.ops
    table = ops.quote_name(Device._meta.db_table)
    pk, category, name, price, released, status = (
        _column(Device, field)
        for field in ("pk", "category", "name", "launch_price", "released", "status")
    )
    # A cancelled device is never suggested: nobody can buy it.
    same = f"SELECT {pk} FROM {table} WHERE {category} = %s AND {pk} <> %s AND {status} <> %s"
    params = [device.category_id, device.pk, Device.Status.CANCELLED]
    if device.launch_price is not None:
        cost = ops.adapt_decimalfield_value(device.launch_price)
        return [
            (f"{same} AND {price} >= %s ORDER BY {price}, {pk}", [*params, cost]),
            (f"{same} AND {price} < %s ORDER BY {price} DESC, {pk} DESC", [*params, cost]),
        ]
    if device.released is not None:
        date = ops.adapt_datefield_value(device.released)
        # The orders follow the index (category, -released, name), scanned either way.
        return [
            (f"{same} AND {released} >= %s ORDER BY {released}, {name} DESC", [*params, date]),
            (f"{same} AND {released} < %s ORDER BY {released} DESC, {name}", [*params, date]),
        ]
    # Unknown dates last on every database (in DESC, PostgreSQL puts NULL first and SQLite
    # last): the catalog's "newest" order, served by its index device_cat_newest.
    return [(f"{same} ORDER BY {released} IS NULL, {released} DESC, {name}, {pk}", params)]


def _rivals_query(device, keys):
    """(sql, params): the candidates (see _neighbours) with their brand's name and their
    key figures, each read through the unique (device, field) index.

    Written out rather than built with the ORM, which spent 3 ms of a device page's 18
    composing it. Each neighbour list is a UNION ALL part of its own, wrapped as a subquery
    (SQLite refuses LIMIT inside a compound; PostgreSQL plans an OR of IN lists as a scan of
    the whole table).
    """
    quote = connection.ops.quote_name
    devices, brands = quote(Device._meta.db_table), quote(Brand._meta.db_table)
    values = quote(SpecValue._meta.db_table)
    number, of_device, of_field = (
        _column(SpecValue, field) for field in ("number", "device", "field")
    )
    pk, brand = _column(Device, "pk"), _column(Device, "brand")
    figures = "".join(
        f", (SELECT {number} FROM {values} WHERE {of_device} = d.{pk} AND {of_field} = %s)"
        f" AS key_{field_id}"
        for field_id in keys
    )
    parts, params = [], list(keys)
    for i, (sql, part_params) in enumerate(_neighbours(device)):
        parts.append(f"SELECT * FROM ({sql} LIMIT {RIVAL_CANDIDATES}) part{i}")
        params += part_params
    meta = Device._meta
    wanted = {meta.pk if name == "pk" else meta.get_field(name) for name in CANDIDATE_FIELDS}
    columns = ", ".join(
        f"d.{quote(field.column)}" for field in meta.concrete_fields if field in wanted
    )
    brand_pk, brand_name, brand_slug = (_column(Brand, field) for field in ("pk", "name", "slug"))
    sql = (
        f"SELECT {columns}, b.{brand_name} AS brand_name, b.{brand_slug} AS brand_slug{figures}"
        f" FROM {devices} d INNER JOIN {brands} b ON b.{brand_pk} = d.{brand}"
        f" WHERE d.{pk} IN ({' UNION ALL '.join(parts)})"
    )
    return sql, params


def _candidates(sql, params, keys):
    """The rows of _rivals_query as devices (CANDIDATE_FIELDS, the rest deferred) with their
    brand (pk, name, slug) and ``key_<field id>`` figures. Built with from_db, values
    converted as the ORM does: a raw() queryset spent more making them than the query
    took to run."""
    meta = Device._meta
    wanted = {meta.pk if name == "pk" else meta.get_field(name) for name in CANDIDATE_FIELDS}
    # from_db takes a subset of the fields in the model's order; the query selects that.
    fields = [field for field in meta.concrete_fields if field in wanted]
    names = [field.attname for field in fields]
    converters = []
    for field in fields:
        col = field.get_col(meta.db_table)
        converters.append(
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        )
    brand_names = ["id", "name", "slug"]
    candidates = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        values = []
        for value, (col, functions) in zip(row, converters, strict=False):
            for convert in functions:
                value = convert(value, col, connection)
            values.append(value)
        other = Device.from_db(connection.alias, names, values)
        brand_name, brand_slug, *figures = row[len(fields) :]
        other.brand = Brand.from_db(
            connection.alias, brand_names, (other.brand_id, brand_name, brand_slug)
        )
        for field_id, figure in zip(keys, figures, strict=True):
            setattr(other, f"key_{field_id}", figure)
        candidates.append(other)
    return candidates


def _distance(device, other, keys):
    """How far apart two devices are: price ratio, release months, key figure ratios."""
    distance = 0.0
    if device.launch_price and other.launch_price:
        distance += abs(math.log(float(other.launch_price) / float(device.launch_price)))
    else:
        distance += 1
    if device.released and other.released:
        distance += abs((device.released - other.released).days) / 730
    else:
        distance += 0.5
    ratios = []
    for field_id, number in keys.items():
        theirs = getattr(other, f"key_{field_id}")
        if theirs is not None and theirs > 0 and number > 0:
            ratios.append(abs(math.log(theirs / number)))
    distance += sum(ratios) / len(ratios) if ratios else 0.5
    return distance


def rivals(device, limit=5):
    """Up to ``limit`` devices of ``device``'s category closest to it in price, release and
    key figures, closest first.

    One query, bounded whatever the catalog's size (see _rivals_query). The devices and
    their brands come with what the rivals list shows (names, price, release), the rest
    deferred.
    Reads ``device.specs`` (prefetch them).
    """
    specs = getattr(device, "sheet_specs", None)
    keys = {
        spec.field_id: spec.number
        for spec in (device.specs.all() if specs is None else specs)
        if spec.field.key and spec.field.is_number and spec.number is not None
    }
    keys = dict(list(keys.items())[:RIVAL_KEY_FIELDS])
    candidates = _candidates(*_rivals_query(device, keys), keys)
    candidates.sort(key=lambda other: (_distance(device, other, keys), other.name, other.pk))
    # Each device once, never the device itself, however the neighbour lists overlap.
    seen = {device.pk}
    unique = []
    for other in candidates:
        if other.pk not in seen:
            seen.add(other.pk)
            unique.append(other)
    return unique[:limit]
