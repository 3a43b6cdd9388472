import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comparisons.catalog_io import CatalogError, import_catalog, parse_json


class Command(BaseCommand):
    help = "Import devices and spec fields from a JSON file (all or nothing; see README)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the JSON file, or - for standard input")

    def handle(self, *args, file, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            result = import_catalog(parse_json(text))
        except CatalogError as exc:
            errors = "\n".join(f"  - {error}" for error in exc.errors)
            raise CommandError(
                f"{file}: nothing imported, {len(exc.errors)} problem(s):\n{errors}"
            ) from None
        self.stdout.write(self.style.SUCCESS(str(result)))
