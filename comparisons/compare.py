"""The visitor's compare list and the comparison table.

The list is a CompareList row found by a random token in a long-lived cookie, with
one CompareItem row per device. The cookie holds the token signed by us, so a token a
client makes up is never adopted (it could be another visitor's); a genuine token whose
row is gone (emptied, or pruned by ``prune_compare_lists``) gets its list back on the
next add. An empty list has no row. Each change runs in one transaction that locks the
list row first (SELECT … FOR UPDATE on PostgreSQL; on SQLite every write transaction
is BEGIN IMMEDIATE, which serialises them), so parallel requests from one browser
queue up instead of each writing back its own stale copy, which is what a list kept
in the session dict would do. The cookie is separate from the session so that
logging in or out, which cycles or flushes the session, keeps the list.
"""

import math
import re
import secrets
from dataclasses import dataclass, field
from operator import attrgetter

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import (
    Brand,
    CompareItem,
    CompareList,
    Device,
    SpecField,
    SpecValue,
)
from .units import SpecValueError, format_number, parse_yes_no

KEY_SEPARATOR = "-vs-"
COOKIE_SALT = "specwise.compare"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# Undo after remove, clear and "Compare these in my list": a signed, timestamped snapshot
# of the list as it was, good for this long (the contract asks for at least 10 minutes).
UNDO_SALT = "specwise.compare.undo"
UNDO_MAX_AGE = 30 * 60


@dataclass
class VisitorList:
    """What a page needs to show the visitor's list: devices in order, and notices."""

    token: str | None
    devices: list = field(default_factory=list)
    # "X is no longer available": devices an editor deleted since the last visit.
    removed_names: list = field(default_factory=list)

    @property
    def max(self):
        return settings.COMPARE_MAX

    @cached_property
    def slugs(self):
        return [device.slug for device in self.devices]

    def __contains__(self, device):
        slug = device if isinstance(device, str) else device.slug
        return slug in self.slugs

    def __len__(self):
        return len(self.devices)

    def __bool__(self):
        # A lazy `compare` in templates must stay truthy even when empty.
        return True

    @property
    def is_full(self):
        return len(self.devices) >= self.max

    @property
    def share_key(self):
        """The canonical "a-vs-b" key of this list, or "" under two devices."""
        return canonical_key(self.slugs) if len(self.devices) >= 2 else ""


@dataclass
class Change:
    """The outcome of add/remove/clear: the list afterwards and what happened."""

    visitor_list: VisitorList
    changed: bool
    error: str = ""
    # Devices whose add/remove buttons must be redrawn.
    touched: list = field(default_factory=list)
    # Slugs of the list just before the change, read under the lock (for undo).
    before: list = field(default_factory=list)


def canonical_key(slugs):
    """The one URL key for a set of devices: unique slugs, sorted, joined by -vs-."""
    return KEY_SEPARATOR.join(sorted(set(slugs)))


def split_key(key):
    """The slugs of a comparison key, in URL order; [] if any part is empty."""
    slugs = key.split(KEY_SEPARATOR)
    return slugs if all(slugs) else []


def _signer():
    return signing.Signer(salt=COOKIE_SALT)


def sign_token(token):
    """The cookie value for ``token``: signed, so that only tokens we issued come back."""
    return _signer().sign(token)


def read_token(value):
    """The token in a compare cookie value; None unless we signed it and it has our shape."""
    try:
        token = _signer().unsign(value)
    except signing.BadSignature:
        return None
    return token if TOKEN_SHAPE.fullmatch(token) else None


def get_token(request):
    return read_token(request.COOKIES.get(settings.COMPARE_COOKIE_NAME, ""))


def new_token():
    return secrets.token_urlsafe(32)


def set_cookie(response, token):
    response.set_cookie(
        settings.COMPARE_COOKIE_NAME,
        sign_token(token),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.COMPARE_COOKIE_SECURE,
    )


def _items(**lookup):
    # The chip comes along (one join) so a table can carry its values without a query.
    return (
        CompareItem.objects.filter(**lookup)
        .select_related("device__brand", "device__category", "device__powered_by")
        .order_by("added_at", "pk")
    )


def _split_items(items):
    """(devices still there, names of deleted ones); forgets the deleted ones."""
    gone = [item for item in items if item.device_id is None]
    if gone:
        # Delete by pk: only the visitor whose list held them gets the notice, once.
        CompareItem.objects.filter(pk__in=[item.pk for item in gone]).delete()
    devices = [item.device for item in items if item.device_id is not None]
    return devices, [item.device_name for item in gone]


def load(request):
    """The visitor's list: one query (two once, after an editor deleted a listed device)."""
    token = get_token(request)
    if token is None:
        return VisitorList(token=None)
    devices, removed = _split_items(list(_items(compare_list__token=token)))
    return VisitorList(token=token, devices=devices, removed_names=removed)


def for_request(request):
    """The visitor's list, loaded once per request (one query with a compare cookie).

    A view that loaded or changed the list sets ``request.compare_list`` itself.
    """
    if not hasattr(request, "compare_list"):
        request.compare_list = load(request)
    return request.compare_list


def _find(token):
    """The list row of ``token``, locked until the transaction ends, or None (in atomic())."""
    return CompareList.objects.select_for_update().only("pk").filter(token=token).first()


def _lock(token):
    """The list row for ``token``, locked until the transaction ends; created if missing.

    Must run inside transaction.atomic(). Returns (list, is_new).
    """
    while True:
        compare_list = _find(token)
        if compare_list is not None:
            return compare_list, False
        # Emptied or pruned: the list starts afresh under the same token. When a parallel
        # request created it first, go back and lock that row (unless a clear took it).
        compare_list, created = CompareList.objects.get_or_create(token=token)
        if created:
            return compare_list, True


def _touch(compare_list):
    """Mark the list as used now; item rows alone leave its ``updated_at`` as it was.

    Pruning goes by ``updated_at``, so every change to a list calls this (or creates it).
    """
    CompareList.objects.filter(pk=compare_list.pk).update(updated_at=timezone.now())


def _current(compare_list, is_new=False):
    """(devices, removed names) of a locked list; no query for a new one or for None."""
    if compare_list is None or is_new:
        return [], []
    return _split_items(list(_items(compare_list=compare_list)))


def _open(token):
    """(token, list, is_new): the locked list of ``token``, or a new list and token for None.

    Must run inside transaction.atomic().
    """
    if token is None:
        token = new_token()
        return token, CompareList.objects.create(token=token), True
    return token, *_lock(token)


def add(token, device):
    """Add ``device`` at the end of the list of ``token`` (None: a new list and token).

    A full list is left unchanged and the Change carries the reason.
    """
    with transaction.atomic():
        token, compare_list, is_new = _open(token)
        devices, removed = _current(compare_list, is_new)
        result = VisitorList(token=token, devices=devices, removed_names=removed)
        if any(d.pk == device.pk for d in devices):
            return Change(result, changed=False, touched=[device])
        if len(devices) >= settings.COMPARE_MAX:
            return Change(
                result,
                changed=False,
                touched=[device],
                error=(
                    f"Your compare list is full ({settings.COMPARE_MAX} devices). "
                    f"Remove one before adding {device.name}."
                ),
            )
        CompareItem.objects.create(
            compare_list=compare_list, device=device, device_name=device.name
        )
        if not is_new:
            _touch(compare_list)
    result = VisitorList(token=token, devices=[*devices, device], removed_names=removed)
    return Change(result, changed=True, touched=[device])


def remove(token, device):
    """Take ``device`` off the list; changed=False if it was not there.

    A list left empty loses its row: nothing is kept for a visitor with nothing listed.
    """
    if token is None:
        return Change(VisitorList(token=None), changed=False, touched=[device])
    with transaction.atomic():
        compare_list = _find(token)
        devices, removed = _current(compare_list)
        listed = any(d.pk == device.pk for d in devices)
        remaining = [d for d in devices if d.pk != device.pk]
        if compare_list is not None and not remaining:
            compare_list.delete()
        elif listed:
            compare_list.items.filter(device=device).delete()
            _touch(compare_list)
    return Change(
        VisitorList(token=token, devices=remaining, removed_names=removed),
        changed=listed,
        touched=[device],
        before=[d.slug for d in devices],
    )


def clear(token):
    """Empty the list (deleting its row); ``touched`` holds the devices it held."""
    if token is None:
        return Change(VisitorList(token=None), changed=False)
    with transaction.atomic():
        compare_list = _find(token)
        devices, removed = _current(compare_list)
        if compare_list is not None:
            compare_list.delete()
    return Change(
        VisitorList(token=token, removed_names=removed),
        changed=bool(devices),
        touched=devices,
        before=[d.slug for d in devices],
    )


def replace(token, devices):
    """Make the list exactly ``devices`` (at most COMPARE_MAX, in that order)."""
    if not devices:
        return clear(token)
    devices = devices[: settings.COMPARE_MAX]
    with transaction.atomic():
        token, compare_list, is_new = _open(token)
        before, removed = _current(compare_list, is_new)
        if before:
            compare_list.items.all().delete()
        CompareItem.objects.bulk_create(
            CompareItem(compare_list=compare_list, device=device, device_name=device.name)
            for device in devices
        )
        if not is_new:
            _touch(compare_list)
    touched = {d.pk: d for d in [*before, *devices]}
    return Change(
        VisitorList(token=token, devices=list(devices), removed_names=removed),
        changed=True,
        touched=list(touched.values()),
        before=[d.slug for d in before],
    )


def snapshot(slugs):
    """A signed, timestamped copy of a list (its slugs, in order) for an Undo form."""
    return signing.dumps(list(slugs), salt=UNDO_SALT, compress=True)


def read_snapshot(value):
    """The slugs of a snapshot made by ``snapshot``.

    Raises signing.SignatureExpired after UNDO_MAX_AGE, signing.BadSignature for anything
    we did not sign (or signed as something else).
    """
    slugs = signing.loads(value or "", salt=UNDO_SALT, max_age=UNDO_MAX_AGE)
    if not isinstance(slugs, list) or not all(isinstance(slug, str) for slug in slugs):
        raise signing.BadSignature("not a compare list snapshot")
    return slugs[: settings.COMPARE_MAX]


def restore(token, slugs):
    """Make the list of ``token`` what a snapshot says, in its order, whatever changed
    since; devices deleted meanwhile are left out."""
    found = Device.objects.with_related().in_bulk(slugs, field_name="slug")
    change = replace(token, [found[slug] for slug in slugs if slug in found])
    change.changed = True
    return change


# The comparison table.


def spec_prefetch(to_attr="compare_specs"):
    return Prefetch(
        "specs",
        queryset=SpecValue.objects.with_fields(),
        to_attr=to_attr,
    )


def with_table_specs(devices):
    """Fetch the spec values of ``devices`` (a list) and of their chips in one query,
    whatever their number. The chips must be loaded already (``load`` and
    ``devices_for_slugs`` select them with the devices)."""
    chips = [device.powered_by for device in devices if device.powered_by_id]
    prefetch_related_objects([*devices, *chips], spec_prefetch())
    return devices


def devices_for_slugs(slugs):
    """Devices for a shared comparison in the given order, their specs and their chips'
    fetched; None if any is unknown. Two queries."""
    found = {d.slug: d for d in Device.objects.with_related().filter(slug__in=slugs)}
    if len(found) != len(set(slugs)):
        return None
    return with_table_specs([found[slug] for slug in slugs])


def with_chip_values(own, chip, chip_specs):
    """A device's values, plus its chip's values for the fields it has none of.

    [(spec value, None for the device's own or the chip it comes from)]: the one rule for
    carried values ("4 nm · Snapdragon 8+ Gen 1"), on the device page and in tables.
    """
    entries = [(spec, None) for spec in own]
    if chip is not None:
        have = {spec.field_id for spec in own}
        entries += [(spec, chip) for spec in chip_specs if spec.field_id not in have]
    return entries


def spec_text(spec):
    """What a table or a card shows for ``spec``: a number field its stored number in the
    field's unit ("1,370 g", whatever the source text says), so the figure beside a best mark
    is the one that won; yes-no fields Yes or No; anything else its text."""
    spec_field = spec.field
    if spec_field.kind == SpecField.Kind.NUMBER and spec.number is not None:
        return format_number(spec.number, spec_field.unit)
    if spec_field.kind == SpecField.Kind.BOOLEAN:
        try:
            return "Yes" if parse_yes_no(spec.value) else "No"
        except SpecValueError:
            return spec.value  # "Yes, SA/NSA": the editor's words say more
    return spec.value


@dataclass
class Cell:
    # As shown (spec_text); ``number`` is the stored number best marks and bars use.
    text: str = ""
    number: float | None = None
    best: bool = False
    # 0–100: this value against its category's best, where the field has a direction.
    bar: int | None = None
    # The chip the value comes from, when the device has none of its own.
    chip: object = None
    # The category the value is judged in: the device's, or its chip's for a carried value.
    category_id: int | None = None

    @property
    def missing(self):
        return not self.text

    def __str__(self):
        """The cell's ``<td>`` (``{{ cell }}``). Written here rather than in
        compare_table.html: a table of four devices has a hundred cells, and their template
        tags took 2 ms a render."""
        if self.missing:
            return mark_safe(MISSING_CELL)
        chip = format_html(CHIP_MARK, self.chip.name) if self.chip else ""
        bar = format_html(SPEC_BAR, self.bar) if self.bar is not None else ""
        if self.best:
            return format_html(BEST_CELL, self.text, chip, bar)
        return format_html(CELL, self.text, chip, bar)

    __html__ = __str__


# The parts of a Cell's markup.
MISSING_CELL = '<td class="is-missing">—<span class="visually-hidden"> no value</span></td>'
CELL = '<td><span class="compare-table__value">{}</span>{}{}</td>'
BEST_CELL = (
    '<td data-best class="is-best"><span class="compare-table__value">{}</span>{}'
    ' <strong class="best-marker">best</strong>{}</td>'
)
CHIP_MARK = (
    ' <span class="chip-value">· {}<span class="visually-hidden"> (the value of its chip)'
    "</span></span>"
)
SPEC_BAR = (
    '<svg class="spec-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"'
    ' focusable="false"><rect class="spec-bar__track" width="100" height="6" rx="3"/>'
    '<rect class="spec-bar__fill" width="{}" height="6" rx="3"/></svg>'
)


@dataclass
class Row:
    field: object
    cells: list

    @property
    def differs(self):
        return len({cell.text for cell in self.cells}) > 1

    def __str__(self):
        """The row's ``<tr>`` (``{{ row }}``): its field, unit and direction, then its cells
        (see Cell.__str__ for why in Python)."""
        field = self.field
        unit = format_html(UNIT_MARK, field.unit) if field.unit else ""
        direction = ""
        if field.is_number:
            direction = DIRECTION_MARKS.get(field.direction, "")
        cells = mark_safe("".join(str(cell) for cell in self.cells))
        differs = " data-differs" if self.differs else ""
        return format_html(ROW, mark_safe(differs), field.name, unit, mark_safe(direction), cells)

    __html__ = __str__


ROW = '<tr{}><th scope="row">{}{}{}</th>{}</tr>'
UNIT_MARK = ' <span class="compare-table__unit">({})</span>'
DIRECTION_MARKS = {
    SpecField.Direction.HIGHER: (
        ' <span class="compare-table__direction" title="Higher is better">↑'
        '<span class="visually-hidden"> higher is better</span></span>'
    ),
    SpecField.Direction.LOWER: (
        ' <span class="compare-table__direction" title="Lower is better">↓'
        '<span class="visually-hidden"> lower is better</span></span>'
    ),
}


@dataclass
class Group:
    group: object
    rows: list


@dataclass
class Reason:
    """A row a device wins: "4,575 mAh battery capacity, 14 % more than Galaxy S24"."""

    field: object
    text: str
    # |best − runner-up| / runner-up; infinite against a runner-up of 0.
    margin: float


@dataclass
class Table:
    devices: list
    groups: list
    only_differences: bool = False
    # Rows hidden by "only differences".
    hidden: int = 0
    # [(device, [Reason, …])] in column order, largest margin first, at most MAX_REASONS.
    reasons: list = field(default_factory=list)

    @property
    def row_count(self):
        return sum(len(group.rows) for group in self.groups)

    @property
    def has_reasons(self):
        return any(reasons for _, reasons in self.reasons)

    @property
    def has_chip_values(self):
        return any(cell.chip for group in self.groups for row in group.rows for cell in row.cells)


MAX_REASONS = 5


def _bar(number, best, direction):
    if direction == SpecField.Direction.LOWER:
        if number <= 0:
            return 100
        return max(0, min(100, round(100 * best / number)))
    if best <= 0:
        return None
    return max(0, min(100, round(100 * number / best)))


def _judge(spec_field, cells):
    """Mark each category's best cell and draw bars, for fields with a direction.

    Values are judged only against values of the same category (a carried chip value
    against chips), and only where at least two of them differ: a lone value, or values
    all alike, get no mark and no bar. Returns the wins: (winner's index, runner-up
    indexes) for each category whose best value one cell alone holds.
    """
    if not spec_field.is_number or spec_field.direction == SpecField.Direction.NONE:
        return []
    by_category = {}
    for index, cell in enumerate(cells):
        if cell.number is not None:
            by_category.setdefault(cell.category_id, []).append(index)
    wins = []
    for indexes in by_category.values():
        numbers = [cells[i].number for i in indexes]
        if len(set(numbers)) < 2:
            continue
        best = spec_field.best(numbers)
        for i in indexes:
            cells[i].best = cells[i].number == best
            cells[i].bar = _bar(cells[i].number, best, spec_field.direction)
        holders = [i for i in indexes if cells[i].best]
        if len(holders) == 1:
            runner_up = spec_field.best([cells[i].number for i in indexes if i != holders[0]])
            wins.append((holders[0], [i for i in indexes if cells[i].number == runner_up]))
    return wins


def _what(spec_field):
    """A field's name inside a sentence: "battery capacity", but "CPU cores" and "RAM"."""
    name = spec_field.name
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _names(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _percent(share):
    """A margin as people read it: "14", "2.5", "0.04"."""
    percent = 100 * share
    if percent >= 10:
        return format_number(round(percent))
    return format_number(round(percent, 1) if percent >= 0.1 else percent)


def _reason(spec_field, winner, runner_ups, devices):
    """Why a device is the one to pick for this row, with its figure and margin."""
    cell, other = winner, runner_ups[0][1]
    figure = format_number(cell.number, spec_field.unit)
    text = f"{figure} {_what(spec_field)}"
    if cell.chip is not None:
        text += f" ({cell.chip.name})"
    names = _names([devices[i].name for i, _ in runner_ups])
    if other.number == 0:
        margin = math.inf
        text += f", against {format_number(0, spec_field.unit)} on {names}"
    else:
        margin = abs(cell.number - other.number) / abs(other.number)
        more = "more" if cell.number > other.number else "less"
        text += f", {_percent(margin)} % {more} than {names}"
    return Reason(spec_field, text, margin)


def _row(spec_field, devices, entries):
    """A row of cells for one field, and its wins as {device index: Reason}.

    ``entries`` holds, per device, (spec value, chip or None) or None.
    """
    cells = []
    for device, entry in zip(devices, entries, strict=True):
        if entry is None:
            cells.append(Cell())
            continue
        spec, chip = entry
        owner = chip or device
        cells.append(Cell(spec_text(spec), spec.number, chip=chip, category_id=owner.category_id))
    wins = {}
    for winner, runner_ups in _judge(spec_field, cells):
        others = [(i, cells[i]) for i in runner_ups]
        wins[winner] = _reason(spec_field, cells[winner], others, devices)
    return Row(spec_field, cells), wins


def _chip_specs(device):
    chip = device.powered_by if device.powered_by_id else None
    return chip, (chip.compare_specs if chip is not None else [])


def build_table(devices, only_differences=False):
    """Rows grouped by spec group and aligned by spec field across all ``devices``, with
    each device's reasons to pick it.

    ``devices`` need ``compare_specs``, their chips too (see with_table_specs and
    devices_for_slugs); no query runs here. A device shows its chip's value for a field
    it has none of; a device with neither shows an empty (missing) cell.
    """
    by_device = []
    fields = {}
    for device in devices:
        values = {}
        for spec, chip in with_chip_values(device.compare_specs, *_chip_specs(device)):
            values[spec.field_id] = (spec, chip)
            fields[spec.field_id] = spec.field
        by_device.append(values)
    groups, hidden = [], 0
    reasons = [[] for _ in devices]
    for spec_field in sorted(fields.values(), key=attrgetter("sheet_position")):
        row, wins = _row(spec_field, devices, [values.get(spec_field.pk) for values in by_device])
        for index, reason in wins.items():
            reasons[index].append(reason)
        if only_differences and not row.differs:
            hidden += 1
            continue
        if groups and groups[-1].group.pk == spec_field.group_id:
            groups[-1].rows.append(row)
        else:
            groups.append(Group(spec_field.group, [row]))
    picks = [
        (device, sorted(found, key=lambda r: -r.margin)[:MAX_REASONS])
        for device, found in zip(devices, reasons, strict=True)
    ]
    return Table(list(devices), groups, only_differences, hidden, picks)


# Rivals: what a device page suggests comparing with.

# Neighbours fetched on each side of a device's price (or release date) before ranking.
RIVAL_CANDIDATES = 8
# Key figures compared between a device and its candidates.
RIVAL_KEY_FIELDS = 4


def _neighbours(device):
    """The nearest cheaper and dearer devices in ``device``'s category (index
    device_cat_price), else the nearest older and newer (index device_cat_released), else
    the newest: [(sql, params)] of id lists, each one bounded index range scan."""
    ops = connection.ops
    table = ops.quote_name(Device._meta.db_table)
    same = f"SELECT id FROM {table} WHERE category_id = %s AND id <> %s"
    params = [device.category_id, device.pk]
    if device.launch_price is not None:
        price = ops.adapt_decimalfield_value(device.launch_price)
        return [
            (f"{same} AND launch_price >= %s ORDER BY launch_price, id", [*params, price]),
            (f"{same} AND launch_price < %s ORDER BY launch_price DESC, id DESC", [*params, price]),
        ]
    if device.released is not None:
        released = ops.adapt_datefield_value(device.released)
        # The orders follow the index (category, -released, name), scanned either way.
        return [
            (f"{same} AND released >= %s ORDER BY released, name DESC", [*params, released]),
            (f"{same} AND released < %s ORDER BY released DESC, name", [*params, released]),
        ]
    return [(f"{same} ORDER BY released DESC, name", params)]


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
    figures = "".join(
        f", (SELECT number FROM {values} WHERE device_id = d.id AND field_id = %s) AS key_{pk}"
        for pk in keys
    )
    parts, params = [], list(keys)
    for i, (sql, part_params) in enumerate(_neighbours(device)):
        parts.append(f"SELECT * FROM ({sql} LIMIT {RIVAL_CANDIDATES}) part{i}")
        params += part_params
    sql = (
        "SELECT d.id, d.name, d.slug, d.brand_id, d.category_id, d.released,"
        f" d.released_precision, d.launch_price, d.image, b.name AS brand_name,"
        f" b.slug AS brand_slug{figures}"
        f" FROM {devices} d INNER JOIN {brands} b ON b.id = d.brand_id"
        f" WHERE d.id IN ({' UNION ALL '.join(parts)})"
    )
    return sql, params


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
    keys = {
        spec.field_id: spec.number
        for spec in device.specs.all()
        if spec.field.key and spec.field.is_number and spec.number is not None
    }
    keys = dict(list(keys.items())[:RIVAL_KEY_FIELDS])
    candidates = list(Device.objects.raw(*_rivals_query(device, keys)))
    for other in candidates:
        other.brand = Brand.from_db(
            device._state.db,
            ["id", "name", "slug"],
            (other.brand_id, other.brand_name, other.brand_slug),
        )
    candidates.sort(key=lambda other: (_distance(device, other, keys), other.name, other.pk))
    return candidates[:limit]
