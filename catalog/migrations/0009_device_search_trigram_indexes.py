"""PostgreSQL: trigram indexes for the admin's device search (a name or slug containing a
word, ``UPPER(col) LIKE UPPER('%word%')`` as Django writes ``icontains``), which read all
50,000 devices twice a search (the count and the page). SQLite has no such index: it reads
the table, which takes it a few milliseconds.

The pg_trgm extension ships with PostgreSQL; a database where it cannot be created (no
right to, not installed) keeps searching without the indexes, slower, and says so.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

COLUMNS = {"device_name_trgm": "name", "device_slug_trgm": "slug"}


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 (any refusal: the search works without it)
        logger.warning("pg_trgm unavailable, device search stays unindexed: %s", error)
        return
    for name, column in COLUMNS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON comparisons_device"
            f" USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_device_status"),
    ]

    operations = [migrations.RunPython(create, drop)]
