"""A spec value's text is called "value" in the admin and its history, not "source text"
(the label only: the column is unchanged)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_specfield_plausible"),
    ]

    operations = [
        migrations.AlterField(
            model_name="specvalue",
            name="value",
            field=models.CharField(max_length=2000),
        ),
    ]
