from pathlib import Path

from django.core.management.base import BaseCommand

from comparisons.catalog_io import dumps, export_catalog


class Command(BaseCommand):
    help = "Export every device and spec field as JSON that import_catalog reads back."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Write here instead of standard output")

    def handle(self, *args, file=None, **options):
        data = export_catalog()
        text = dumps(data)
        if file:
            Path(file).write_text(text, encoding="utf-8")
            self.stdout.write(
                f"Exported {len(data['devices'])} devices and {len(data['fields'])} fields "
                f"to {file}"
            )
        else:
            self.stdout.write(text, ending="")
