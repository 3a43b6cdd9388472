from django.core.management.base import BaseCommand

from core.demo import LOADERS


class Command(BaseCommand):
    help = "Load the demo catalog and stories. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        done = [f"Demo {name}: {loader()}." for name, loader in LOADERS]
        self.stdout.write(self.style.SUCCESS(" ".join(done)))
