from django.core.management.base import BaseCommand

from catalog import namesakes


class Command(BaseCommand):
    help = (
        "Recompute what sets apart devices that share a name (their distinguishers), for "
        "writes that bypassed the admin and the importer."
    )

    def handle(self, *args, **options):
        changed = namesakes.refresh()
        self.stdout.write(f"{changed} distinguisher(s) changed.")
