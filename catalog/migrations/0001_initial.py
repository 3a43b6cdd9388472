"""The catalog's models move here from ``comparisons`` without touching the database.

Their tables keep their names (each model's ``db_table``), so every row, media path and
link stays where it is: this migration only tells Django's model state where they live
now (``comparisons`` 0008 forgets them there), and moves their content types, so admin
history and the permissions of groups and users follow them.
"""

import django.db.models.deletion
import django.db.models.lookups
import django.utils.timezone
from django.db import migrations, models

MOVED = ["brand", "category", "specgroup", "specfield", "device", "specvalue", "devicephoto"]


def move_content_types(apps, source, target):
    """Relabel the moved models' content types: their permissions and admin log go along.
    (A fresh database has none yet: they are made after migrating.)"""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=MOVED).update(app_label=target)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("comparisons", "0007_best_sort_ties_by_device"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Brand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('description', models.TextField(blank=True)),
            ],
            options={
                'db_table': 'comparisons_brand',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Category',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('order', models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                'verbose_name_plural': 'categories',
                'db_table': 'comparisons_category',
                'ordering': ['order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='SpecGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('order', models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                'db_table': 'comparisons_specgroup',
                'ordering': ['order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Device',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('slug', models.SlugField(max_length=200, unique=True)),
                ('released', models.DateField(blank=True, null=True)),
                ('released_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the date is known.', max_length=5)),
                ('launch_price', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, verbose_name='launch price (USD)')),
                ('image', models.ImageField(blank=True, editable=False, upload_to='devices/')),
                ('summary', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('brand', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='devices', to='catalog.brand')),
                ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='devices', to='catalog.category')),
                ('powered_by', models.ForeignKey(blank=True, help_text='The chipset (itself a device) inside this phone or laptop.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='powers', to='catalog.device')),
            ],
            options={
                'db_table': 'comparisons_device',
                'ordering': ['-released', 'name'],
            },
        ),
        migrations.CreateModel(
            name='DevicePhoto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('image', models.ImageField(max_length=255, upload_to='devices/', verbose_name='photo')),
                ('alt', models.CharField(blank=True, help_text="What the photo shows, for people who cannot see it (“Front and back, white”). Left blank, the device's name is used.", max_length=200, verbose_name='description')),
                ('order', models.PositiveSmallIntegerField(default=0, help_text='The first is the main photo.')),
                ('width', models.PositiveIntegerField(default=0, editable=False)),
                ('height', models.PositiveIntegerField(default=0, editable=False)),
                ('checksum', models.CharField(editable=False, max_length=64)),
                ('source_checksum', models.CharField(editable=False, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='catalog.device')),
            ],
            options={
                'db_table': 'comparisons_devicephoto',
                'ordering': ['order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='SpecField',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('unit', models.CharField(blank=True, max_length=20)),
                ('kind', models.CharField(choices=[('number', 'Number'), ('text', 'Text'), ('yes-no', 'Yes / no')], default='text', max_length=10)),
                ('direction', models.CharField(choices=[('higher', 'Higher is better'), ('lower', 'Lower is better'), ('none', 'Neither')], default='none', max_length=10)),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('filterable', models.BooleanField(default=False)),
                ('key', models.BooleanField(default=False, verbose_name='key spec')),
                ('categories', models.ManyToManyField(blank=True, related_name='spec_fields', to='catalog.category')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fields', to='catalog.specgroup')),
            ],
            options={
                'db_table': 'comparisons_specfield',
                'ordering': ['group__order', 'group__name', 'order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='SpecValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.CharField(max_length=2000, verbose_name='source text')),
                ('number', models.FloatField(blank=True, null=True)),
                ('source', models.CharField(blank=True, help_text='Where the figure comes from: a URL or a short note.', max_length=500)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='specs', to='catalog.device')),
                ('field', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='values', to='catalog.specfield')),
            ],
            options={
                'db_table': 'comparisons_specvalue',
                'ordering': ['field__group__order', 'field__order'],
            },
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['category', '-released', 'name'], name='device_cat_released'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['launch_price'], name='device_price'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['category', 'launch_price'], name='device_cat_price'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(django.db.models.lookups.IsNull(models.F('released'), True), models.OrderBy(models.F('released'), descending=True), models.F('name'), models.F('id'), name='device_sort_newest'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(django.db.models.lookups.IsNull(models.F('released'), True), models.F('released'), models.F('name'), models.F('id'), name='device_sort_oldest'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(models.F('name'), models.F('id'), name='device_sort_name'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(django.db.models.lookups.IsNull(models.F('launch_price'), True), models.F('launch_price'), models.F('name'), models.F('id'), name='device_sort_price_low'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(django.db.models.lookups.IsNull(models.F('launch_price'), True), models.OrderBy(models.F('launch_price'), descending=True), models.F('name'), models.F('id'), name='device_sort_price_high'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(models.F('category'), django.db.models.lookups.IsNull(models.F('released'), True), models.OrderBy(models.F('released'), descending=True), models.F('name'), models.F('id'), name='device_cat_newest'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(models.F('category'), django.db.models.lookups.IsNull(models.F('released'), True), models.F('released'), models.F('name'), models.F('id'), name='device_cat_oldest'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(models.F('category'), models.F('name'), models.F('id'), name='device_cat_name'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(models.F('category'), django.db.models.lookups.IsNull(models.F('launch_price'), True), models.F('launch_price'), models.F('name'), models.F('id'), name='device_cat_price_low'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(models.F('category'), django.db.models.lookups.IsNull(models.F('launch_price'), True), models.OrderBy(models.F('launch_price'), descending=True), models.F('name'), models.F('id'), name='device_cat_price_high'),
        ),
        migrations.AddConstraint(
            model_name='device',
            constraint=models.CheckConstraint(condition=models.Q(('slug__contains', '-vs-'), _negated=True), name='device_slug_without_vs'),
        ),
        migrations.AddIndex(
            model_name='devicephoto',
            index=models.Index(fields=['device', 'order'], name='devicephoto_device_order'),
        ),
        migrations.AddIndex(
            model_name='specvalue',
            index=models.Index(fields=['field', 'number', 'device'], name='specvalue_field_number_dev'),
        ),
        migrations.AddConstraint(
            model_name='specvalue',
            constraint=models.UniqueConstraint(fields=('device', 'field'), name='one_value_per_field'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(
            lambda apps, schema_editor: move_content_types(apps, "comparisons", "catalog"),
            lambda apps, schema_editor: move_content_types(apps, "catalog", "comparisons"),
        ),
    ]
