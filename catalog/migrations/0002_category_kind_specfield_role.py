"""A category's ``kind`` and a spec field's ``role``: what code used to guess from names.

Existing rows get what the old guess gave, so every page looks the same after migrating:
a category's kind from words in its name or slug, the dimensions role for the field named
"Dimensions". The guess is copied here (migrations must not import code that may change).
"""

import unicodedata

from django.db import migrations, models

# Category kind -> the words in a name or slug that made the old code draw it so.
KIND_WORDS = (
    ("laptop", ("laptop", "notebook", "chromebook", "ultrabook")),
    ("tablet", ("tablet", "ipad")),
    ("watch", ("watch", "wearable")),
    ("chip", ("chip", "chipset", "soc", "processor", "cpu")),
    ("phone", ("phone", "handset")),
)


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def guess_kind(name, slug):
    words = f"{_fold(name)} {slug}".replace("-", " ").split()
    for kind, terms in KIND_WORDS:
        for term in terms:
            # Long terms inside words ("Smartwatches"), short ones whole ("SoCs", not "Social").
            if any(term in word if len(term) > 3 else word in (term, f"{term}s") for word in words):
                return kind
    return "other"


def fill_kinds_and_roles(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    SpecField = apps.get_model("catalog", "SpecField")
    for category in Category.objects.all():
        kind = guess_kind(category.name, category.slug)
        if kind != "other":
            Category.objects.filter(pk=category.pk).update(kind=kind)
    # Names are unique as written, so "Dimensions" and "dimensions" may both exist: the
    # oldest keeps the role, as at most one field may hold it.
    dimensions = SpecField.objects.filter(name__iexact="dimensions").order_by("pk").first()
    if dimensions is not None:
        SpecField.objects.filter(pk=dimensions.pk).update(role="dimensions")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="kind",
            field=models.CharField(
                choices=[
                    ("phone", "Phone"),
                    ("tablet", "Tablet"),
                    ("laptop", "Laptop"),
                    ("watch", "Watch"),
                    ("chip", "Chip"),
                    ("other", "Other"),
                ],
                default="other",
                help_text=(
                    "How its devices are drawn without a photo; a comparison judges the "
                    'figures of one kind together, and those of each "other" category alone.'
                ),
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="specfield",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[("", "None"), ("dimensions", "Dimensions (outlines are drawn from it)")],
                default="",
                max_length=20,
            ),
        ),
        migrations.RunPython(fill_kinds_and_roles, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="specfield",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", ""), _negated=True),
                fields=("role",),
                name="one_field_per_role",
                violation_error_message="Another field already has this role.",
            ),
        ),
    ]
