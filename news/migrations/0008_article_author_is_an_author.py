"""Authors become profiles (step 3 of 3): the byline text goes and Article.author is the
Author that 0007 linked. Backwards, the text column comes back empty and 0007 fills it."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# SQLite rebuilds news_article for the NOT NULL change (and, backwards, for the text column
# and the nullable key): the search index's triggers go with the old table.
restore_search_triggers = importlib.import_module(
    "news.migrations.0006_author"
).restore_search_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0007_authors_from_bylines"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        # No change to the table; backwards, the text column comes back filled with "" (a
        # column that may not be blank would have no value to fill the rows with).
        migrations.AlterField(
            model_name="article",
            name="author",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RemoveField(
            model_name="article",
            name="author",
        ),
        migrations.RenameField(
            model_name="article",
            old_name="author_profile",
            new_name="author",
        ),
        migrations.AlterField(
            model_name="article",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="news.author",
            ),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
