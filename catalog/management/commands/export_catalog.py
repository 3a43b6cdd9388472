from pathlib import Path

from django.core.management.base import BaseCommand

from catalog.io import dumps, export_catalog, export_photos


class Command(BaseCommand):
    help = (
        "Export every device and spec field as JSON that import_catalog reads back; with a "
        "FILE, device photos are written beside it (photos/<slug>/1.jpg, …)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Write here instead of standard output")

    def handle(self, *args, file=None, **options):
        data = export_catalog()
        text = dumps(data)
        if file:
            Path(file).write_text(text, encoding="utf-8")
            photos = export_photos(Path(file).resolve().parent)
            self.stdout.write(
                f"Exported {len(data['devices'])} devices and {len(data['fields'])} fields "
                f"to {file}" + (f", and {photos} photo file(s) beside it" if photos else "")
            )
        else:
            self.stdout.write(text, ending="")
            if any("images" in device for device in data["devices"]):
                self.stderr.write("Photos are written only with a FILE to export to.")
