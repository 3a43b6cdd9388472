"""Popular comparisons: view counts buffered in the cache, written to the database in batches.

A page view costs one cache increment, never a database write: every FLUSH_EVERY views
of a comparison one request adds them to its ComparisonCount row, and
``manage.py flush_comparison_counts`` writes whatever is still pending. Each counter is
registered once, when created, in a numbered slot (an atomic cache counter hands out
slot numbers), so the command finds every pending key without a racy shared set.
Cache errors are logged and the view is simply not counted.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F
from django.urls import reverse

from .models import ComparisonCount, Device

logger = logging.getLogger(__name__)

FLUSH_EVERY = 20
COUNTER_PREFIX = "compare-views:"
SLOT_PREFIX = "compare-views-slot:"
SLOTS_ISSUED = "compare-views-slots"
SLOTS_FLUSHED = "compare-views-slots-flushed"


def _counter(key):
    # Hashed: a key of four long slugs could pass the cache's key length limit.
    return COUNTER_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def add_views(key, views):
    """Add ``views`` to the stored count of ``key``: one UPDATE, an INSERT the first time."""
    if views <= 0:
        return
    if ComparisonCount.objects.filter(key=key).update(views=F("views") + views):
        return
    _, created = ComparisonCount.objects.get_or_create(key=key, defaults={"views": views})
    if not created:
        ComparisonCount.objects.filter(key=key).update(views=F("views") + views)


def record_view(key):
    """Count one view of the comparison ``key`` (canonical). Never raises."""
    counter = _counter(key)
    try:
        try:
            count = cache.incr(counter)
        except ValueError:
            if cache.add(counter, 1, timeout=None):
                slot = _incr_or_create(SLOTS_ISSUED)
                cache.set(f"{SLOT_PREFIX}{slot}", key, timeout=None)
                return
            count = cache.incr(counter)
        # Exactly one request sees each multiple, so each batch is written once.
        if count % FLUSH_EVERY == 0:
            cache.decr(counter, FLUSH_EVERY)
            add_views(key, FLUSH_EVERY)
    except ValueError:
        # The command flushed and removed the counter meanwhile: its views are written.
        pass
    except Exception:
        logger.warning("Could not count a view of comparison %s", key, exc_info=True)


def _incr_or_create(name):
    try:
        return cache.incr(name)
    except ValueError:
        if cache.add(name, 1, timeout=None):
            return 1
        return cache.incr(name)


def flush_pending():
    """Write every pending count to the database; returns the number of views written."""
    issued = cache.get(SLOTS_ISSUED) or 0
    start = cache.get(SLOTS_FLUSHED) or 0
    written = 0
    slots = [f"{SLOT_PREFIX}{n}" for n in range(start + 1, issued + 1)]
    keys = cache.get_many(slots)
    for slot in slots:
        key = keys.get(slot)
        if key is None:
            continue
        counter = _counter(key)
        pending = cache.get(counter) or 0
        if pending > 0:
            try:
                left = cache.decr(counter, pending)
            except ValueError:
                continue
            add_views(key, pending)
            written += pending
        else:
            left = pending
        if left == 0:
            # The next view registers the key again in a new slot.
            cache.delete(counter)
        else:
            # Views that arrived during the flush stay pending under a new slot.
            cache.set(f"{SLOT_PREFIX}{_incr_or_create(SLOTS_ISSUED)}", key, timeout=None)
    cache.delete_many(slots)
    cache.set(SLOTS_FLUSHED, issued, timeout=None)
    return written


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
