"""Article.devices points at the catalog's Device (moved from ``comparisons``, same table):
model state only, the link table and its rows are unchanged."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0004_story_images"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="devices",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="articles",
                        to="catalog.device",
                        verbose_name="devices mentioned",
                    ),
                ),
            ]
        ),
    ]
