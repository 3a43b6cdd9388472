"""The visitor's compare list.

The list is a CompareList row found by a random token in a long-lived cookie, with one
CompareItem row per device. The cookie holds the token signed by us, so a token a client
makes up is never adopted (it could be another visitor's); a genuine token whose row is gone
(emptied, or pruned by ``prune_compare_lists``) gets its list back on the next add. A list
made by a request without a cookie stays unconfirmed until a request brings its cookie back;
one never confirmed is pruned after a day, so a client that drops cookies (one list per add)
leaves nothing behind. An empty list has no row. Each change runs in one transaction that
locks the list row first (SELECT … FOR UPDATE on PostgreSQL; on SQLite every write
transaction is BEGIN IMMEDIATE, which serialises them), so parallel requests from one
browser queue up instead of each writing back its own stale copy, which is what a list kept
in the session dict would do. The cookie is separate from the session so that logging in or
out, which cycles or flushes the session, keeps the list.
"""

import functools
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from catalog import loading
from catalog.models import COMPARISON_SEPARATOR, Device

from .models import CompareItem, CompareList

KEY_SEPARATOR = COMPARISON_SEPARATOR
COOKIE_SALT = "specwise.compare"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# Undo after remove, clear and "Compare these in my list": a signed, timestamped snapshot
# of the list as it was, good for this long (visitors get at least 10 minutes to undo).
UNDO_SALT = "specwise.compare.undo"
UNDO_MAX_AGE = 30 * 60


class VisitorList:
    """What a page needs to show the visitor's list: devices in order, and notices.

    ``load`` reads the list with its devices' rows in one query, but makes the devices
    only on first use, when a page is rendered: the page cache keys by the slugs alone, so
    a cached page needs nothing more. The change functions pass the devices they hold.
    """

    def __init__(self, token, devices=None, removed_names=None, *, listed=None):
        self.token = token
        # "X is no longer available": devices an editor deleted since the last visit.
        self.removed_names = removed_names or []
        # [(slug, function that builds the device)] in list order, as ``load`` read them.
        self._listed = listed
        if devices is not None or listed is None:
            self.__dict__["devices"] = list(devices or [])

    @cached_property
    def devices(self):
        return [build() for _, build in self._listed]

    @property
    def max(self):
        return settings.COMPARE_MAX

    @cached_property
    def slugs(self):
        if "devices" not in self.__dict__:
            return [slug for slug, _ in self._listed]
        return [device.slug for device in self.devices]

    def __contains__(self, device):
        slug = device if isinstance(device, str) else device.slug
        return slug in self.slugs

    def __len__(self):
        return len(self.slugs)

    def __bool__(self):
        # A lazy `compare` in templates must stay truthy even when empty.
        return True

    @property
    def is_full(self):
        return len(self.slugs) >= self.max

    @property
    def share_key(self):
        """The canonical "a-vs-b" key of this list, or "" under two devices."""
        return canonical_key(self.slugs) if len(self.slugs) >= 2 else ""


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


def shared_slugs(key):
    """The slugs of a comparison key from a URL, in URL order; Http404 for a key no
    comparison can have: fewer than 2 or more than COMPARE_MAX devices, or more than
    4 × COMPARE_MAX parts (repeats included)."""
    slugs = split_key(key)
    if not 2 <= len(set(slugs)) <= settings.COMPARE_MAX or len(slugs) > 4 * settings.COMPARE_MAX:
        raise Http404(f"No such comparison: it needs 2 to {settings.COMPARE_MAX} devices.")
    return slugs


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
    # The chip and its category come along (joins) so a table can carry and judge its
    # values without a query.
    return (
        CompareItem.objects.filter(**lookup)
        .select_related("device__brand", "device__category", "device__powered_by__category")
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


@functools.cache
def _list_sql(vendor):
    """The statement of _read_list for this kind of database (made once: composing its
    forty columns took a third of its cost)."""
    quote = connection.ops.quote_name
    item, row, device = CompareItem._meta, CompareList._meta, Device._meta
    devices = loading.device_rows(outer=True)

    def column(meta, name):
        return quote(meta.get_field(name).column)

    return (
        f"SELECT i.{quote(item.pk.column)}, i.{column(item, 'device')},"
        f" d.{column(device, 'slug')}, i.{column(item, 'device_name')},"
        f" l.{column(row, 'confirmed')}, {devices.select}"
        f" FROM {quote(item.db_table)} i"
        f" INNER JOIN {quote(row.db_table)} l"
        f" ON l.{quote(row.pk.column)} = i.{column(item, 'compare_list')}"
        f" LEFT OUTER JOIN {quote(device.db_table)} d"
        f" ON d.{quote(device.pk.column)} = i.{column(item, 'device')}{devices.joins}"
        f" WHERE l.{column(row, 'token')} = %s"
        f" ORDER BY i.{column(item, 'added_at')}, i.{quote(item.pk.column)}"
    )


def _read_list(token):
    """(rows, confirmed) of the list of ``token``: rows are (item pk, device pk or None,
    device slug, name kept for the notice, a function that builds the device), in list
    order; ([], True) without a row.

    Written out, one statement with the devices' columns (catalog.loading), which are
    turned into devices only when a page is rendered: every page a visitor with a list
    asks for reads it, and a cached page needs only the slugs. The joined ORM query it
    replaces cost 5 ms a request, ten times what a whole /healthz takes.
    """
    devices = loading.device_rows(outer=True)
    with connection.cursor() as cursor:
        cursor.execute(_list_sql(connection.vendor), [token])
        rows = cursor.fetchall()
    if not rows:
        return [], True
    listed = [(*r[:4], functools.partial(devices.build, r, 5)) for r in rows]
    return listed, bool(rows[0][4])


def load(request):
    """The visitor's list: one query (two once, after an editor deleted a listed device);
    the devices are made when a page shows them."""
    token = get_token(request)
    if token is None:
        return VisitorList(token=None)
    rows, confirmed = _read_list(token)
    if not confirmed:
        _confirm(token)
    gone = [(pk, name) for pk, device_pk, _, name, _ in rows if device_pk is None]
    if gone:
        # Delete by pk: only the visitor whose list held them gets the notice, once.
        CompareItem.objects.filter(pk__in=[pk for pk, _ in gone]).delete()
    listed = [(slug, build) for _, device_pk, slug, _, build in rows if device_pk is not None]
    return VisitorList(token=token, removed_names=[name for _, name in gone], listed=listed)


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
    A change to an existing list came with its cookie, so the list is confirmed too.
    """
    CompareList.objects.filter(pk=compare_list.pk).update(updated_at=timezone.now(), confirmed=True)


def _confirm(token):
    """The cookie of a list made without one came back: keep the list (one write, once)."""
    CompareList.objects.filter(token=token, confirmed=False).update(confirmed=True)


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
        return token, CompareList.objects.create(token=token, confirmed=False), True
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


def page_cache_key(request):
    """What the page cache keys a page by for this visitor (see comparisons.apps): the
    devices in their list; None when the list has just lost a deleted device, whose notice
    shows once, so that page is not kept."""
    visitor_list = for_request(request)
    return None if visitor_list.removed_names else ",".join(visitor_list.slugs)
