"""Devices and their spec values as pages read them, in written-out queries.

Device pages, comparisons and the visitor's compare list are mostly rendered afresh at
scale (a catalog of 50,000 devices is read in its long tail), and composing their queries
with the ORM cost more than running them: the device with its brand, category and chip
(select_related, four joins) and its spec values (a Prefetch) took about a fifth of a
device page's time and a quarter of a comparison's. Here each is one statement built from
the models' ``_meta`` (table and column names) and turned into instances with
``Model.from_db``, values converted as the ORM converts them; related instances are set
through their descriptors, so nothing reads them again.
"""

import weakref

from django.db import connection, connections

from core.content import in_request

from .models import Brand, Category, Device, SpecField, SpecValue, _remember_fields, fields_seen

# What each query needs to know of the models (columns, joins, converters), made once per
# database connection: making it took as long as running the query.
_made = weakref.WeakKeyDictionary()


def _once(key, make):
    """``make()``, kept for this thread's database connection under ``key``."""
    wrapper = connections[connection.alias]
    made = _made.setdefault(wrapper, {})
    if key not in made:
        made[key] = make()
    return made[key]


class _Columns:
    """What reading ``model``'s concrete fields from alias ``alias`` takes: ``sql`` (the
    quoted columns), ``names`` (their attnames, in the model's order, as from_db wants
    them) and the converters of the columns that have any."""

    def __init__(self, model, alias):
        quote = connection.ops.quote_name
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [field.attname for field in fields]
        self.sql = [f"{alias}.{quote(field.column)}" for field in fields]
        self.converted = []
        for offset, field in enumerate(fields):
            col = field.get_col(alias)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if converters:
                self.converted.append((offset, col, converters))

    def __len__(self):
        return len(self.names)

    def build(self, row, start=0):
        """The instance of ``row[start:]``; None if its key is NULL (an outer join that
        found nothing)."""
        values = list(row[start : start + len(self.names)])
        if values[0] is None:
            return None
        for offset, col, converters in self.converted:
            value = values[offset]
            for convert in converters:
                value = convert(value, col, connection)
            values[offset] = value
        return self.model.from_db(connection.alias, self.names, values)


class DeviceRows:
    """The columns and joins that read devices (alias ``d``) with their brand, category and
    chip (and the chip's category), and ``build`` to make the instances of one row.

    ``outer``: every join is an outer one, for a device that may be missing (a list item
    whose device was deleted). ``powers_count`` adds how many devices each one powers.
    Without ``chips`` the chip is not read (a list of names: search results), and
    ``powered_by`` is left unread.
    """

    PARTS = ((Device, "d"), (Brand, "b"), (Category, "c"), (Device, "p"), (Category, "pc"))

    def __init__(self, outer=False, powers_count=False, chips=True):
        quote = connection.ops.quote_name
        self.powers_count = powers_count
        self.columns = [_Columns(model, alias) for model, alias in self.PARTS[: 5 if chips else 3]]
        self.select = ", ".join(sql for part in self.columns for sql in part.sql)
        meta = Device._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        if powers_count:
            powered_by = quote(meta.get_field("powered_by").column)
            self.select += f", (SELECT COUNT(*) FROM {table} w WHERE w.{powered_by} = d.{pk})"
        self.width = sum(len(part) for part in self.columns) + powers_count

        def key(model, alias, name):
            return f"{alias}.{quote(model._meta.get_field(name).column)}"

        inner = "LEFT OUTER JOIN" if outer else "INNER JOIN"
        category = quote(Category._meta.db_table)
        category_pk = quote(Category._meta.pk.column)
        self.joins = (
            f" {inner} {quote(Brand._meta.db_table)} b"
            f" ON b.{quote(Brand._meta.pk.column)} = {key(Device, 'd', 'brand')}"
            f" {inner} {category} c ON c.{category_pk} = {key(Device, 'd', 'category')}"
        )
        if chips:
            self.joins += (
                f" LEFT OUTER JOIN {table} p ON p.{pk} = {key(Device, 'd', 'powered_by')}"
                f" LEFT OUTER JOIN {category} pc"
                f" ON pc.{category_pk} = {key(Device, 'p', 'category')}"
            )

    def build(self, row, start=0):
        """The device of ``row[start:]`` with its related instances set; None if none."""
        built = []
        for part in self.columns:
            built.append(part.build(row, start))
            start += len(part)
        device, brand, category, *chip = built
        if device is None:
            return None
        device.brand, device.category = brand, category
        if chip:
            chip, chip_category = chip
            if chip is not None:
                chip.category = chip_category
            device.powered_by = chip
        if self.powers_count:
            device.powers_count = row[start]
        return device


def device_rows(outer=False, powers_count=False, chips=True):
    """The DeviceRows for these options, made once per connection."""
    key = ("devices", outer, powers_count, chips)
    return _once(key, lambda: DeviceRows(outer, powers_count, chips))


def devices_with_related(column, values, powers_count=False, chips=True):
    """Devices whose field ``column`` ("slug" or "pk") is among ``values``, with their
    brand, category and chip (and the chip's category) set: {value: device}, one query.
    ``powers_count``: how many devices each powers (``device.powers_count``); without
    ``chips``, no chip (see DeviceRows)."""
    build = device_rows(powers_count=powers_count, chips=chips).build
    rows = device_rows_read(column, values, powers_count, chips)
    return {value: build(row) for value, row in rows.items()}


def device_rows_read(column, values, powers_count=False, chips=True):
    """{value: row} as devices_with_related reads them, the rows as the database gave them:
    for a caller that keeps rows and builds devices from them with ``device_rows(...).build``
    (the same options) each time."""
    values = list(values)
    if not values:
        return {}
    quote = connection.ops.quote_name
    meta = Device._meta
    rows = device_rows(powers_count=powers_count, chips=chips)
    where = meta.pk if column == "pk" else meta.get_field(column)
    # The column's place in the row: the device's own columns come first.
    offset = rows.columns[0].names.index(where.attname)
    sql = (
        f"SELECT {rows.select} FROM {quote(meta.db_table)} d{rows.joins}"
        f" WHERE d.{quote(where.column)} IN ({', '.join(['%s'] * len(values))})"
    )
    params = [where.get_db_prep_value(value, connection) for value in values]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[offset]: row for row in cursor.fetchall()}


def spec_values(devices):
    """{device pk: [its spec values in sheet order, each with its field and group]} for
    ``devices``, one query (and one more for fields this process has not seen under the
    current content version, as SpecValue.objects.with_fields() does)."""
    pks = sorted({device.pk for device in devices})
    if not pks:
        return {}
    quote = connection.ops.quote_name
    meta = SpecValue._meta
    columns = _once("spec values", lambda: _Columns(SpecValue, "v"))
    device_column = quote(meta.get_field("device").column)
    sql = (
        f"SELECT {', '.join(columns.sql)} FROM {quote(meta.db_table)} v"
        f" WHERE v.{device_column} IN ({', '.join(['%s'] * len(pks))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, pks)
        values = [columns.build(row) for row in cursor.fetchall()]
    seen = fields_seen() or {}
    missing = {value.field_id for value in values} - seen.keys()
    if missing:
        fields = SpecField.objects.select_related("group").filter(pk__in=missing)
        found = {field.pk: field for field in fields}
        # Kept for the next requests, as with_fields() keeps them (never outside one).
        seen = _remember_fields(found) if in_request() else {**seen, **found}
    by_device = {pk: [] for pk in pks}
    # (A value whose field was deleted since it was read goes with it.)
    for value in values:
        spec_field = seen.get(value.field_id)
        if spec_field is not None:
            value.field = spec_field
            by_device[value.device_id].append(value)
    for listed in by_device.values():
        listed.sort(key=lambda value: value.field.sheet_position)
    return by_device
