from django.db import migrations, models


def fill(apps, schema_editor):
    from catalog import namesakes

    models_ = (apps.get_model("catalog", "Device"), apps.get_model("catalog", "SpecValue"))
    namesakes.refresh(models=models_, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_specvalue_value_verbose_name"),
        # specwise_unaccent, which tells namesakes apart from other names.
        ("core", "0002_search_function"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="distinguisher",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
