from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from comparisons.models import CompareList

BATCH_SIZE = 500


# A list made by a request without a cookie is kept this long for the cookie to come back.
UNCONFIRMED_DAYS = 1


def _delete(due):
    """Delete the lists of ``due``; returns how many went.

    Batches keep memory and lock time flat however many lists are due. Each batch is
    locked before it is deleted, so a visitor who adds to a list at that moment either
    waits and gets it recreated under the same token, or bumps it out of the batch.
    """
    removed = 0
    while True:
        with transaction.atomic():
            pks = list(due.select_for_update().values_list("pk", flat=True)[:BATCH_SIZE])
            if pks:
                _, per_model = due.filter(pk__in=pks).delete()
                removed += per_model.get(CompareList._meta.label, 0)
        if len(pks) < BATCH_SIZE:
            return removed


def prune(days):
    """Delete the compare lists unchanged for ``days`` days; returns how many went."""
    cutoff = timezone.now() - timedelta(days=days)
    return _delete(CompareList.objects.filter(updated_at__lt=cutoff))


def prune_unconfirmed():
    """Delete the lists made without a cookie whose cookie never came back within
    UNCONFIRMED_DAYS (a client that drops cookies leaves one per add); returns how many."""
    cutoff = timezone.now() - timedelta(days=UNCONFIRMED_DAYS)
    return _delete(CompareList.objects.filter(confirmed=False, created_at__lt=cutoff))


class Command(BaseCommand):
    help = (
        "Delete compare lists nobody changed for COMPARE_LIST_DAYS days, and those whose "
        "cookie never came back within a day (run daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.COMPARE_LIST_DAYS,
            help="Age in days after which an unchanged list goes (default: %(default)s).",
        )

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        removed = prune(days)
        self.stdout.write(f"Removed {removed} compare lists untouched for {days} days.")
        unconfirmed = prune_unconfirmed()
        if unconfirmed:
            self.stdout.write(f"Removed {unconfirmed} compare lists whose cookie never came back.")
