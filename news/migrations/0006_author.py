"""Authors become profiles (step 1 of 3): the Author model, and Article.author_profile beside
the old ``author`` text until 0007 fills it in and 0008 puts it in the text's place."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def restore_search_triggers(apps, schema_editor):
    """SQLite drops the search index's triggers with the table when a schema change rebuilds
    news_article (see 0002): create them again and rebuild the index."""
    if schema_editor.connection.vendor != "sqlite":
        return
    search_index = importlib.import_module("news.migrations.0002_search_index")
    for sql in search_index.SQLITE_TRIGGERS:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0005_devices_from_catalog"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Undoing the AddField below rebuilds news_article on SQLite.
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.CreateModel(
            name="Author",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                ("slug", models.SlugField(max_length=100, unique=True)),
                (
                    "bio",
                    models.TextField(
                        blank=True,
                        help_text="Plain text, shown on their page.",
                        max_length=600,
                        verbose_name="short bio",
                    ),
                ),
                (
                    "photo",
                    models.ImageField(blank=True, max_length=255, upload_to="news/authors/"),
                ),
                (
                    "user",
                    models.OneToOneField(
                        blank=True,
                        help_text="New stories written from this account are signed by this author.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="author",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff account",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="author_profile",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="news.author",
            ),
        ),
    ]
