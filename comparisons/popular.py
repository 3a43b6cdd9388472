"""Popular comparisons: GET views counted once per address, comparison and day.

A view is a (key, visitor, day) triple; the visitor is a keyed digest of their address and
the day, so the address is never stored. Not the compare token: a fresh one costs a client
one add, so tokens would let one address count as many visitors as it likes.

Each process buffers the triples it has not written yet and remembers the ones it has, so a
visitor reloading a page costs no query at all. The buffer is written in one transaction
when it holds FLUSH_EVERY triples, when its oldest triple has waited MAX_WAIT seconds
(noticed at the next view), and when the process exits normally, which is how gunicorn stops
a worker on a graceful restart. A ComparisonView row per triple makes a view count once even
when several processes saw it; the number of new rows is added to ComparisonCount. A
database error is logged and the triples wait for the next flush: counting never fails a
page.
"""

import atexit
import logging
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from catalog.models import COMPARISON_SEPARATOR, Device
from core.http import client_ip

from .models import ComparisonCount, ComparisonView

logger = logging.getLogger(__name__)

FLUSH_EVERY = 20
MAX_WAIT = 60
# Bounds on memory while the database is unreachable, and on the memo of written views.
MAX_PENDING = 10_000
REMEMBER = 10_000
# Triples per transaction, so every IN list stays well under the databases' parameter limits.
BATCH = 500
KEY_LENGTH = ComparisonView._meta.get_field("key").max_length


def today():
    """The UTC day a view counts for."""
    return datetime.now(UTC).date()


def visitor_id(request, day):
    """Who is viewing, as a digest keyed with SECRET_KEY: their address on that day, whatever
    compare token they hold."""
    value = f"address {client_ip(request)} {day.isoformat()}"
    return salted_hmac("comparisons.popular.visitor", value, algorithm="sha256").hexdigest()


def record_view(request, key):
    """Count this visitor's view of the comparison ``key`` (canonical), once a day.

    Usually no query: the view waits in this process's buffer. Never raises.
    """
    try:
        if len(key) > KEY_LENGTH:
            return
        day = today()
        buffer.add((key, visitor_id(request, day), day))
    except Exception:
        logger.warning("Could not count a view of comparison %s", key, exc_info=True)


class ViewBuffer:
    """The views this process has seen but not written, and a memo of those it has written.

    Thread-safe. The database work runs outside the lock, so a request that only records a
    view never waits for another one's flush.
    """

    def __init__(self, flush_every=FLUSH_EVERY, max_wait=MAX_WAIT, clock=time.monotonic):
        self.flush_every = flush_every
        self.max_wait = max_wait
        self.clock = clock
        self._lock = threading.Lock()
        self._pending = set()
        self._oldest = 0.0
        # After a failed flush, the next try waits max_wait instead of costing every view.
        self._retry_at = 0.0
        self._written = {}  # used as an ordered set: the oldest entries go first

    @property
    def pending(self):
        """A copy of the triples waiting for the next flush."""
        with self._lock:
            return set(self._pending)

    def add(self, triple):
        """Keep ``triple`` for the next flush unless it is known; flush if one is due."""
        now = self.clock()
        with self._lock:
            if (
                triple not in self._written
                and triple not in self._pending
                and len(self._pending) < MAX_PENDING
            ):
                if not self._pending:
                    self._oldest = now
                self._pending.add(triple)
            due = (
                bool(self._pending)
                and now >= self._retry_at
                and (len(self._pending) >= self.flush_every or now - self._oldest >= self.max_wait)
            )
        if due:
            self.flush()

    def flush(self):
        """Write every pending view; returns how many were new to the database."""
        with self._lock:
            triples, self._pending = sorted(self._pending), set()
            oldest = self._oldest
        counted = 0
        for start in range(0, len(triples), BATCH):
            batch = triples[start : start + BATCH]
            try:
                counted += write_views(batch)
            except Exception:
                logger.exception(
                    "Could not write %d comparison views; they wait for the next flush",
                    len(triples) - start,
                )
                with self._lock:
                    self._pending.update(triples[start:])
                    self._oldest = oldest
                    self._retry_at = self.clock() + self.max_wait
                return counted
            with self._lock:
                self._written.update(dict.fromkeys(batch))
                while len(self._written) > REMEMBER:
                    del self._written[next(iter(self._written))]
        with self._lock:
            self._retry_at = 0.0
        return counted


def write_views(triples):
    """Store the triples not stored yet and add their number to each comparison's count, in
    one transaction; returns that number. Also removes the views of days before yesterday.

    Exact across processes: on PostgreSQL the count rows of the keys are locked (in key
    order) before the stored triples are read, so two processes writing the same triple
    take turns and the second finds it; on SQLite every write transaction is BEGIN
    IMMEDIATE, which serialises them anyway.
    """
    keys = sorted({key for key, _, _ in triples})
    with transaction.atomic():
        ComparisonCount.objects.bulk_create(
            [ComparisonCount(key=key) for key in keys], ignore_conflicts=True
        )
        if connection.features.has_select_for_update:
            locked = ComparisonCount.objects.select_for_update().filter(key__in=keys)
            list(locked.order_by("key").values_list("pk", flat=True))
        stored = set(
            ComparisonView.objects.filter(
                key__in=keys,
                visitor__in={visitor for _, visitor, _ in triples},
                day__in={day for _, _, day in triples},
            ).values_list("key", "visitor", "day")
        )
        new = [triple for triple in triples if triple not in stored]
        ComparisonView.objects.bulk_create(
            [ComparisonView(key=key, visitor=visitor, day=day) for key, visitor, day in new],
            ignore_conflicts=True,
        )
        keys_by_views = defaultdict(list)
        for key, views in Counter(key for key, _, _ in new).items():
            keys_by_views[views].append(key)
        now = timezone.now()
        for views, group in keys_by_views.items():
            ComparisonCount.objects.filter(key__in=group).update(
                views=F("views") + views, updated_at=now
            )
        ComparisonView.objects.filter(day__lt=today() - timedelta(days=1)).delete()
    return len(new)


buffer = ViewBuffer()


def flush():
    """Write this process's pending views now (tests; and at exit, below)."""
    return buffer.flush()


atexit.register(flush)


@dataclass
class PopularComparison:
    key: str
    devices: list
    views: int

    @property
    def title(self):
        return " vs ".join(device.name for device in self.devices)

    def get_absolute_url(self):
        return reverse("comparisons:compare-shared", args=[self.key])


def popular_comparisons(limit=6):
    """The most viewed comparisons whose devices all still exist; two queries."""
    counts = list(ComparisonCount.objects.order_by("-views", "key")[: limit * 2])
    slugs = {slug for count in counts for slug in count.slugs}
    if not slugs:
        return []
    devices = {d.slug: d for d in Device.objects.select_related("brand").filter(slug__in=slugs)}
    popular = []
    for count in counts:
        if all(slug in devices for slug in count.slugs):
            popular.append(
                PopularComparison(count.key, [devices[s] for s in count.slugs], count.views)
            )
    return popular[:limit]


# How many of the most viewed comparisons make a device popular for search.
POPULARITY_COMPARISONS = 2000


def device_popularity():
    """{device slug: views of the most viewed comparisons it is in}: one query, for device
    search's ranking (see core.search.register_device_popularity)."""
    scores = {}
    counts = ComparisonCount.objects.order_by("-views", "key").values_list("key", "views")
    for key, views in counts[:POPULARITY_COMPARISONS]:
        for slug in key.split(COMPARISON_SEPARATOR):
            scores[slug] = scores.get(slug, 0) + views
    return scores
