from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from catalog.models import Device
from comparisons.compare import split_key
from core import cards
from core.models import ShareCard

BATCH_SIZE = 500


def _slugs(kind, key):
    """The devices a card shows: a device card's key is a slug, a comparison card's is
    their canonical key; [] for a key no comparison can have."""
    return [key] if kind == "device" else split_key(key)


def _gone_devices(rows):
    """The pks of ``rows`` ([(pk, kind, key)]) showing a device that no longer exists."""
    slugs = {slug for _pk, kind, key in rows for slug in _slugs(kind, key)}
    existing = set(Device.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    return [
        pk
        for pk, kind, key in rows
        if not _slugs(kind, key) or not set(_slugs(kind, key)) <= existing
    ]


def prune_deleted_devices():
    """Remove the device and comparison cards of devices deleted since they were drawn;
    returns how many went. In batches, so memory stays flat however many cards are kept."""
    removed, last = 0, 0
    rows_of_devices = (
        ShareCard.objects.filter(kind__in=["device", "compare"])
        .order_by("pk")
        .values_list("pk", "kind", "key")
    )
    while True:
        rows = list(rows_of_devices.filter(pk__gt=last)[:BATCH_SIZE])
        if not rows:
            return removed
        removed += cards.remove(ShareCard.objects.filter(pk__in=_gone_devices(rows)))
        last = rows[-1][0]


def prune_unindexed():
    """Remove stored cards no ShareCard row names (drawn before the index existed: the
    next request draws them again, indexed); returns how many went."""
    try:
        kinds = default_storage.listdir("cards")[0]
    except (FileNotFoundError, NotADirectoryError):
        return 0
    names = [name for kind in kinds for name in cards.unindexed(kind)]
    for name in names:
        default_storage.delete(name)
    return len(names)


class Command(BaseCommand):
    help = (
        "Delete the share cards of deleted devices, and stored cards the index does not "
        "know (run daily)."
    )

    def handle(self, *args, **options):
        gone = prune_deleted_devices()
        unknown = prune_unindexed()
        self.stdout.write(
            f"Removed {gone} share cards of deleted devices and {unknown} unindexed cards."
        )
