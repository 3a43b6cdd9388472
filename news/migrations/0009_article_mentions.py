"""A story names devices the catalog lacks yet; the device's admin page offers to link it.

On SQLite, adding the column copies news_article, which drops the search index's triggers
with the old table (see 0002): they are made again after the column comes and after it
goes. The index itself needs no rebuild: every row keeps its id and its text.
"""

from importlib import import_module

from django.db import migrations, models

SEARCH_INDEX = import_module("news.migrations.0002_search_index")


def restore_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SEARCH_INDEX.SQLITE_TRIGGERS:
            if sql.lstrip().startswith("CREATE TRIGGER"):
                schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0008_article_author_is_an_author"),
    ]

    operations = [
        # Runs last on the way back, once the column is gone.
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.AddField(
            model_name="article",
            name="mentions",
            field=models.TextField(
                blank=True,
                help_text="Device names the story mentions that the catalog lacks, one per line.",
                verbose_name="device names not in the catalog",
            ),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
