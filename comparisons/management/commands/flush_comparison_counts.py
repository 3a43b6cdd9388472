from django.core.management.base import BaseCommand

from comparisons.popular import flush_pending


class Command(BaseCommand):
    help = "Write the comparison view counts buffered in the cache to the database."

    def handle(self, *args, **options):
        written = flush_pending()
        self.stdout.write(f"Flushed {written} comparison view(s).")
