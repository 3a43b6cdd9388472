"""A spec field's plausible ranges per category kind, and the demo catalog's ranges for the
fields an existing site already has.

A field gets them when its name and unit are the demo's (ignoring case), it is a number
field and it has none yet; a field in another unit ("Weight" in kg) is left for an editor.
The ranges are copied here (migrations must not import code that may change).
"""

from django.db import migrations, models

import catalog.models

# name -> (unit, {kind: [low, high]}), as in catalog/demo_catalog.json.
RANGES = {
    "Display size": (
        "in",
        {"phone": [3, 10], "tablet": [6, 16], "laptop": [10, 20], "watch": [0.8, 2.5]},
    ),
    "Refresh rate": (
        "Hz",
        {"phone": [30, 240], "tablet": [30, 240], "laptop": [30, 500], "watch": [1, 120]},
    ),
    "Peak brightness": (
        "nits",
        {"phone": [100, 5000], "tablet": [100, 3000], "laptop": [100, 3000], "watch": [100, 4000]},
    ),
    "Process node": ("nm", {"phone": [1, 200], "chip": [1, 200]}),
    "CPU cores": ("", {"phone": [1, 12], "tablet": [1, 16], "laptop": [1, 64], "chip": [1, 128]}),
    "Max CPU clock": (
        "GHz",
        {
            "phone": [0.1, 4.5],
            "tablet": [0.1, 4.5],
            "laptop": [0.5, 6.5],
            "watch": [0.05, 3],
            "chip": [0.1, 6.5],
        },
    ),
    "NPU": (
        "TOPS",
        {"phone": [0.1, 100], "tablet": [0.1, 100], "laptop": [0.1, 200], "chip": [0.1, 200]},
    ),
    "RAM": ("GB", {"phone": [1, 32], "tablet": [1, 32], "laptop": [2, 256], "watch": [0.25, 8]}),
    "Storage": (
        "GB",
        {"phone": [1, 2048], "tablet": [8, 4096], "laptop": [16, 16384], "watch": [1, 128]},
    ),
    "Main camera": ("MP", {"phone": [0.3, 250], "tablet": [0.3, 100]}),
    "Selfie camera": ("MP", {"phone": [0.3, 60], "tablet": [0.3, 20]}),
    "Camera support": ("MP", {"chip": [8, 400]}),
    "Battery capacity": (
        "mAh",
        {"phone": [500, 20000], "tablet": [2000, 30000], "watch": [100, 1000]},
    ),
    "Battery energy": ("Wh", {"tablet": [10, 60], "laptop": [20, 100]}),
    "Wired charging": (
        "W",
        {"phone": [1, 300], "tablet": [5, 150], "laptop": [15, 400], "watch": [1, 20]},
    ),
    "Wireless charging": ("W", {"phone": [1, 100], "tablet": [1, 50], "watch": [0.5, 15]}),
    "Weight": (
        "g",
        {"phone": [50, 1000], "tablet": [150, 2000], "laptop": [300, 10000], "watch": [10, 200]},
    ),
}


def fill_plausible_ranges(apps, schema_editor):
    SpecField = apps.get_model("catalog", "SpecField")
    by_name = {name.casefold(): ranges for name, ranges in RANGES.items()}
    for field in SpecField.objects.filter(kind="number"):
        unit, ranges = by_name.get(field.name.casefold(), (None, None))
        if ranges and not field.plausible and field.unit.strip().casefold() == unit.casefold():
            SpecField.objects.filter(pk=field.pk).update(plausible=ranges)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_category_kind_specfield_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="specfield",
            name="plausible",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    "Per category kind, the lowest and highest figure that make sense, in the "
                    "field's unit. A figure outside is refused in the admin unless the editor "
                    "ticks “I checked this value”, and listed by imports."
                ),
                validators=[catalog.models.validate_plausible],
                verbose_name="plausible ranges",
            ),
        ),
        migrations.RunPython(fill_plausible_ranges, migrations.RunPython.noop, elidable=True),
    ]
