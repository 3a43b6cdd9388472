from itertools import groupby
from operator import attrgetter

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.html import format_html

from core import images
from core.admin import RevisionHistoryAdmin, VersionedContentAdmin

from .history import DeviceHistory
from .models import (
    VALUE_SHEET_ORDER,
    Brand,
    Category,
    Device,
    DevicePhoto,
    SpecField,
    SpecGroup,
    SpecValue,
)
from .units import SpecValueError, clean_value


@admin.register(Brand)
class BrandAdmin(VersionedContentAdmin):
    list_display = ["name", "slug", "device_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices"))

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, brand):
        return brand.device_count


@admin.register(Category)
class CategoryAdmin(VersionedContentAdmin):
    list_display = ["name", "slug", "kind", "order"]
    list_editable = ["kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SpecGroup)
class SpecGroupAdmin(VersionedContentAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(SpecField)
class SpecFieldAdmin(VersionedContentAdmin):
    list_display = [
        "name",
        "group",
        "unit",
        "kind",
        "direction",
        "order",
        "filterable",
        "key",
        "role",
    ]
    list_editable = ["order", "filterable", "key"]
    list_filter = ["group", "kind", "direction", "filterable", "key", "role", "categories"]
    list_select_related = ["group"]
    search_fields = ["name", "slug", "group__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories"]

    def get_readonly_fields(self, request, obj=None):
        # Stored numbers and yes/no texts depend on the kind; changing it would strand them.
        if obj is not None and obj.values.exists():
            return ["kind"]
        return []


class ReleaseYearFilter(admin.SimpleListFilter):
    title = "release year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Device.objects.dates("released", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(released__year=int(value))
        return queryset


class SpecValueForm(forms.ModelForm):
    """One spec value row; the field's kind decides how the text is read (units.clean_value).

    The number is read from the text unless the editor typed one: "1.34 kg" under Weight (g)
    stores 1340, and an unknown unit or a number field without a number is an error on the
    row, in the parser's words. Rows the editor left alone are not parsed again, so a value
    imported with its own number (or an older odd text) never blocks saving the others.
    """

    class Meta:
        model = SpecValue
        fields = ["field", "value", "number", "source"]
        help_texts = {"number": "Left blank, it is read from the text (in the field's unit)."}
        # Narrow inputs: five columns and the delete box fit the inline at 1280 px.
        widgets = {
            "value": forms.TextInput(attrs={"size": 20}),
            "number": forms.NumberInput(attrs={"step": "any", "class": "vBigIntegerField"}),
            "source": forms.TextInput(attrs={"size": 16, "placeholder": "URL or note"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A pre-filled extra row carries its SpecField in `initial`; putting it on the
        # instance lets the read-only group column show without a query per row.
        field = self.initial.get("field")
        if self.instance.field_id is None and isinstance(field, SpecField):
            self.instance.field = field
        self._stored = self._provenance()

    def _provenance(self):
        return (self.instance.value, self.instance.number, self.instance.source)

    def clean(self):
        data = super().clean()
        field, value = data.get("field"), data.get("value")
        if field is None or not value:
            return data
        if not {"field", "value", "number"} & set(self.changed_data):
            return data  # only the source changed
        typed = data.get("number") if "number" in self.changed_data else None
        try:
            data["value"], data["number"] = clean_value(field, value, typed)
        except SpecValueError as error:
            self.add_error("number" if typed is not None else "value", str(error))
        return data

    def save(self, commit=True):
        if self._provenance() != self._stored:
            self.instance.changed_at = timezone.now()
        return super().save(commit)


class SharedChoiceIterator(ModelChoiceIterator):
    """Choices from the list the field holds, grouped by spec group: no query per row."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for group, fields in groupby(self.field.rows, key=lambda f: f.group.name):
            yield (group, [self.choice(f) for f in fields])

    def __len__(self):
        return len(self.field.rows) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows)


class SharedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a list fetched once per request.

    Every inline row gets a copy of the formset's field; a plain ModelChoiceField would run
    its queryset again for each copy, to draw the options and again to check the choice.
    The copies share ``rows`` (fields with their group, in sheet order), so neither does.
    """

    iterator = SharedChoiceIterator

    def __init__(self, rows, **kwargs):
        self.rows = rows
        self.by_pk = {str(row.pk): row for row in rows}
        queryset = SpecField.objects.filter(pk__in=list(self.by_pk))
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, SpecField):
            value = value.pk
        try:
            return self.by_pk[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class SpecValueFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        # A saved row the editor left as it was is accepted as it is: no parsing, no
        # checks, no query; with 40 rows and one edit, only the edited row is validated.
        if index is not None and index < self.initial_form_count():
            kwargs["empty_permitted"] = True
        return kwargs


class SpecValueInline(admin.TabularInline):
    """The spec sheet of a device, one row per value, with a pre-filled row for each field
    of its category it has no value for.

    The field choices (its category's fields, plus any field it already has a value for, so
    a change of category strands nothing) are fetched once per request and shared by every
    row: the page costs the same with 40 rows as with one, whatever the catalog size.
    """

    model = SpecValue
    form = SpecValueForm
    formset = SpecValueFormSet
    fields = ["group", "field", "value", "number", "source"]
    readonly_fields = ["group"]
    extra = 3

    class Media:
        css = {"all": ["css/admin-specs.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("field__group")
            .order_by(*VALUE_SHEET_ORDER)
        )

    @admin.display(description="group")
    def group(self, spec):
        return spec.field.group.name if spec.field_id else ""

    def field_rows(self, device):
        """(fields offered, those of them the device has no value for yet), in sheet order.

        Two or three small queries: the device's own field ids, its category's fields, and
        the fields it has outside its category (if any).
        """
        fields = SpecField.objects.select_related("group")
        if device is None or device.category_id is None:
            return list(fields), []
        offered = list(fields.filter(categories=device.category_id))
        if device.pk is None:
            return offered, []
        have = set(
            SpecValue.objects.filter(device=device.pk)
            .order_by()  # no join for the sheet order: only the ids are needed
            .values_list("field_id", flat=True)
        )
        missing = [f for f in offered if f.pk not in have]
        others = have - {f.pk for f in offered}
        if others:
            offered = sorted(
                [*offered, *fields.filter(pk__in=others)],
                key=attrgetter("sheet_position"),
            )
        return offered, missing

    def get_formset(self, request, obj=None, **kwargs):
        offered, missing = self.field_rows(obj)
        if obj is not None and obj.pk:
            kwargs["extra"] = len(missing) or 1

        def formfield_callback(db_field, **field_kwargs):
            if db_field.name == "field":
                return self.field_choice(db_field, offered)
            return self.formfield_for_dbfield(db_field, request, **field_kwargs)

        kwargs["formfield_callback"] = formfield_callback
        formset = super().get_formset(request, obj, **kwargs)
        initial = [{"field": field} for field in missing]

        class PrefilledFormSet(formset):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("initial", initial)
                super().__init__(*args, **kwargs)

        return PrefilledFormSet

    def field_choice(self, db_field, rows):
        """The field column: shared choices, and no add/change/view links (they crowd the
        table; fields have their own page)."""
        return SharedChoiceField(
            rows, label=db_field.verbose_name.capitalize(), required=not db_field.blank
        )


class DevicePhotoInline(admin.TabularInline):
    """The device's photos in order; the first is its main photo. An upload is checked when
    the form is (a refusal names the file), then stored clean with its resized copies."""

    model = DevicePhoto
    formset = images.ImageInlineFormSet
    fields = ["preview", "image", "alt", "order"]
    readonly_fields = ["preview"]
    extra = 1
    formfield_overrides = {models.ImageField: {"form_class": images.ImageUploadField}}

    @admin.display(description="")
    def preview(self, photo):
        if not photo.pk or not photo.image:
            return "—"
        url = images.copy_url(photo.image.name, 160, "webp")
        return format_html('<img src="{}" width="96" height="72" alt="">', url)


def _unique_copy_slug(slug):
    base = f"{slug[:190]}-copy"
    taken = set(Device.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def duplicate_device(device):
    """A copy of ``device`` and its spec values under a new unique slug; returns the copy.
    Inside a revision, the copy joins it with its values."""
    specs = list(device.specs.all())
    copy = Device.objects.get(pk=device.pk)
    copy.pk = None
    copy._state.adding = True
    copy.slug = _unique_copy_slug(device.slug)
    copy.name = f"{device.name[:193]} (copy)"
    copy.save()
    SpecValue.objects.bulk_create(
        SpecValue(
            device=copy,
            field_id=s.field_id,
            value=s.value,
            number=s.number,
            source=s.source,
            changed_at=s.changed_at,
        )
        for s in specs
    )
    if reversion.is_active():
        # Saving the copy added it before it had values (bulk-created: no signal).
        reversion.add_to_revision(copy)
    return copy


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = "__all__"

    def clean(self):
        data = super().clean()
        released, precision = data.get("released"), data.get("released_precision")
        # Stored as the import stores it (2008 is 2008-01-01 with Year), so an export gives
        # back "2008" and a re-import of it finds the device unchanged.
        if released and precision == Device.Precision.YEAR:
            data["released"] = released.replace(month=1, day=1)
        elif released and precision == Device.Precision.MONTH:
            data["released"] = released.replace(day=1)
        return data


@admin.register(Device)
class DeviceAdmin(RevisionHistoryAdmin):
    history = DeviceHistory
    form = DeviceForm
    list_display = ["name", "brand", "category", "release", "launch_price"]
    list_filter = ["category", "brand", ReleaseYearFilter]
    list_select_related = ["brand", "category"]
    search_fields = ["name", "slug", "brand__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["brand", "powered_by"]
    inlines = [SpecValueInline, DevicePhotoInline]
    actions = ["duplicate"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "brand", "category", "powered_by"]}),
        ("Launch", {"fields": [("released", "released_precision"), "launch_price"]}),
        ("Presentation", {"fields": ["summary"]}),
    ]

    @admin.display(description="released", ordering="released")
    def release(self, device):
        return device.released_text or None

    @admin.action(description="Duplicate selected devices", permissions=["add"])
    def duplicate(self, request, queryset):
        with transaction.atomic(), reversion.create_revision():
            originals = list(queryset.order_by("pk"))
            copies = [duplicate_device(device) for device in originals]
            reversion.set_comment(f"Duplicated from {', '.join(d.name for d in originals)}")
        names = ", ".join(copy.name for copy in copies)
        noun = "device" if len(copies) == 1 else "devices"
        self.message_user(
            request, f"Duplicated {len(copies)} {noun}: {names}.", level=messages.SUCCESS
        )
