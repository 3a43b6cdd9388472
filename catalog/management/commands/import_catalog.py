import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.io import CatalogError, import_catalog, parse_json
from core.terminal import Counter

# Far above any real catalog (6,258 devices are 7 MB), far below what a JSON parser
# holds in memory without trouble.
MAX_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import devices and spec fields from a JSON file: all or nothing, only what changed "
        "is written; --dry-run prints what would change (see README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the JSON file, or - for standard input")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check everything and print what would change; write nothing.",
        )
        parser.add_argument(
            "--reject-outliers",
            action="store_true",
            help="Refuse the whole file if a value is outside its field's plausible range "
            "(by default such values are imported and listed).",
        )

    def handle(self, *args, file, dry_run=False, reject_outliers=False, **options):
        text = read_text(file)
        counter = Counter(self.stdout, "devices written")
        try:
            # Image paths in the file are relative to it (to the working folder for "-").
            base_dir = Path.cwd() if file == "-" else Path(file).resolve().parent
            result = import_catalog(
                parse_json(text),
                dry_run=dry_run,
                base_dir=base_dir,
                reject_outliers=reject_outliers,
                source="standard input" if file == "-" else Path(file).name,
                progress=counter,
            )
        except CatalogError as exc:
            errors = "\n".join(f"  - {error}" for error in exc.errors)
            raise CommandError(
                f"{file}: nothing imported, {len(exc.errors)} problem(s):\n{errors}"
            ) from None
        finally:
            counter.finish()
        lines = result.report()
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)


def read_text(file):
    """The file's text (UTF-8, a byte-order mark allowed), refused whole above MAX_BYTES."""
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            path = Path(file)
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(_too_large(file))
            data = path.read_bytes()
        if len(data) > MAX_BYTES:
            raise CommandError(_too_large(file))
        return data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {file}: {exc}") from None


def _too_large(file):
    return (
        f"{file} is larger than {MAX_BYTES // 1024 // 1024} MB: split the catalog into "
        "several files (devices are matched by slug, so each adds to the last)"
    )
