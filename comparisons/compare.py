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

import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property

from .models import CompareItem, CompareList, Device, SpecField, SpecValue
from .units import SpecValueError, format_number, parse_yes_no

KEY_SEPARATOR = "-vs-"
COOKIE_SALT = "specwise.compare"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


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
    return (
        CompareItem.objects.filter(**lookup)
        .select_related("device__brand", "device__category")
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
        VisitorList(token=token, removed_names=removed), changed=bool(devices), touched=devices
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
    )


# The comparison table.


def spec_prefetch():
    return Prefetch(
        "specs",
        queryset=SpecValue.objects.select_related("field__group"),
        to_attr="compare_specs",
    )


def with_table_specs(devices):
    """Fetch the spec values of ``devices`` (a list) in one query, whatever their number."""
    prefetch_related_objects(devices, spec_prefetch())
    return devices


def devices_for_slugs(slugs):
    """Devices for a shared comparison in the given order, specs fetched; None if any is
    unknown. Two queries."""
    found = {
        d.slug: d
        for d in Device.objects.with_related()
        .prefetch_related(spec_prefetch())
        .filter(slug__in=slugs)
    }
    if len(found) != len(set(slugs)):
        return None
    return [found[slug] for slug in slugs]


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
    # 0–100: this value against the row's best (or largest, where no direction applies).
    bar: int | None = None

    @property
    def missing(self):
        return not self.text


@dataclass
class Row:
    field: object
    cells: list

    @property
    def differs(self):
        return len({cell.text for cell in self.cells}) > 1


@dataclass
class Group:
    group: object
    rows: list


@dataclass
class Table:
    devices: list
    groups: list
    only_differences: bool = False
    # Rows hidden by "only differences".
    hidden: int = 0

    @property
    def row_count(self):
        return sum(len(group.rows) for group in self.groups)


def _bar(number, row_best, row_max, direction):
    if number is None:
        return None
    if direction == "lower" and row_best is not None:
        if number <= 0:
            return 100
        return max(0, min(100, round(100 * row_best / number)))
    top = row_best if row_best is not None else row_max
    if top is None or top <= 0:
        return None
    return max(0, min(100, round(100 * number / top)))


def _row(spec_field, values):
    """A row of cells for one field; ``values`` holds a SpecValue or None per device."""
    cells = [Cell(spec_text(v), v.number) if v is not None else Cell() for v in values]
    if spec_field.is_number:
        numbers = [c.number for c in cells if c.number is not None]
        best = spec_field.best(numbers)
        # "Best" means something only where at least two values differ.
        if best is not None and len(set(numbers)) < 2:
            best = None
        row_max = max(numbers) if numbers else None
        for cell in cells:
            cell.best = best is not None and cell.number == best
            cell.bar = _bar(cell.number, best, row_max, spec_field.direction)
    return Row(spec_field, cells)


def build_table(devices, only_differences=False):
    """Rows grouped by spec group and aligned by spec field across all ``devices``.

    ``devices`` need ``compare_specs`` (see with_table_specs / devices_for_slugs); no query
    runs here. A device without a value for a field shows an empty (missing) cell.
    """
    by_device = []
    fields = {}
    for device in devices:
        values = {}
        for spec in device.compare_specs:
            values[spec.field_id] = spec
            fields[spec.field_id] = spec.field
        by_device.append(values)
    ordered = sorted(fields.values(), key=lambda f: (f.group.order, f.group.name, f.order, f.name))
    groups, hidden = [], 0
    for spec_field in ordered:
        row = _row(spec_field, [values.get(spec_field.pk) for values in by_device])
        if only_differences and not row.differs:
            hidden += 1
            continue
        if groups and groups[-1].group.pk == spec_field.group_id:
            groups[-1].rows.append(row)
        else:
            groups.append(Group(spec_field.group, [row]))
    return Table(list(devices), groups, only_differences, hidden)
