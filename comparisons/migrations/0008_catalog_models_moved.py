"""The catalog's models now live in the ``catalog`` app (its 0001 took them over with their
tables): forget them here and point compare items at the catalog's Device. Model state only;
no table, row or column changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0007_best_sort_ties_by_device"),
        ("catalog", "0001_initial"),
        ("news", "0005_devices_from_catalog"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="compareitem",
                    name="device",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="catalog.device",
                    ),
                ),
                migrations.DeleteModel(name="SpecValue"),
                migrations.DeleteModel(name="DevicePhoto"),
                migrations.DeleteModel(name="Device"),
                migrations.DeleteModel(name="SpecField"),
                migrations.DeleteModel(name="SpecGroup"),
                migrations.DeleteModel(name="Category"),
                migrations.DeleteModel(name="Brand"),
            ]
        ),
    ]
