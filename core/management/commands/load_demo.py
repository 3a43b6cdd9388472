from django.core.management.base import BaseCommand

from comparisons.demo import load_catalog
from news.demo import load_stories


class Command(BaseCommand):
    help = "Load the demo catalog and stories. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        result = load_catalog()
        stories = load_stories()
        self.stdout.write(self.style.SUCCESS(f"Demo catalog: {result}. Demo stories: {stories}."))
