import re
from collections import defaultdict
from itertools import groupby
from operator import attrgetter

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Count, F, Q, prefetch_related_objects
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import Http404, HttpResponseNotAllowed, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal

from core import images
from core.admin import ConflictCheckedAdmin, FormRevisionAdmin, VersionedContentAdmin
from core.admin_lists import LargeTableAdmin, SelectRelatedFilter, SelectSimpleFilter
from core.forms import (
    DirectInputsFormSet,
    LoadedChoiceField,
    LoadedRelationsForm,
    LoadedRowsFormSet,
)
from core.text import shown
from core.trash import linked_from
from core.trash_admin import TrashAdmin

from .admin_io import CatalogIOAdmin
from .history import DeviceHistory
from .models import (
    VALUE_SHEET_ORDER,
    Brand,
    Category,
    Device,
    DevicePhoto,
    DeviceQuerySet,
    Ranking,
    SpecField,
    SpecGroup,
    SpecValue,
    clean_plausible,
    in_kind_order,
)
from .rankings import query_notices
from .specs import spec_prefetch
from .units import SpecValueError, clean_value, read_decimal
from .views import device_page_context


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


# "phone: 50–1000": a kind, a colon, two numbers joined by a dash, "to" or "..".
_NUMBER = r"[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE_LINE = re.compile(
    rf"(?P<kind>[^:]+):\s*(?P<low>{_NUMBER})\s*(?:–|—|-|to|\.\.)\s*(?P<high>{_NUMBER})",
    re.IGNORECASE,
)


class PlausibleRangesField(forms.Field):
    """A field's plausible ranges as lines of text, "phone: 50–1000", one kind a line;
    checked by the same rule as a file's (models.clean_plausible)."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 32, "placeholder": "phone: 50–1000"})

    def prepare_value(self, value):
        if not isinstance(value, dict):
            return value  # the text as the editor typed it, redrawn after an error
        return "\n".join(
            f"{kind}: {_range_number(low)}–{_range_number(high)}"
            for kind, (low, high) in in_kind_order(value).items()
        )

    def to_python(self, value):
        ranges = {}
        for number, line in enumerate((value or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            match = _RANGE_LINE.fullmatch(line)
            if match is None:
                raise ValidationError(
                    f"Line {number} (“{shown(line)}”) is not a range: write one kind and its "
                    "range a line, e.g. “phone: 50–1000”."
                )
            kind = match["kind"].strip().lower()
            if kind in ranges:
                raise ValidationError(f"Line {number}: {shown(kind)} has a range already.")
            try:
                ranges[kind] = [read_decimal(match["low"]), read_decimal(match["high"])]
            except ValueError:
                message = f"Line {number} (“{shown(line)}”): not two numbers."
                raise ValidationError(message) from None
        try:
            return clean_plausible(ranges)
        except SpecValueError as error:
            message = str(error)
            raise ValidationError(message[:1].upper() + message[1:]) from None

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or {})
        except ValidationError:
            return True


def _range_number(number):
    return str(int(number)) if float(number).is_integer() else repr(float(number))


class SpecFieldForm(forms.ModelForm):
    plausible = PlausibleRangesField(
        label="Plausible ranges",
        required=False,
        help_text=SpecField._meta.get_field("plausible").help_text
        + " One kind a line, e.g. “phone: 50–1000” ("
        + ", ".join(Category.Kind.values)
        + ").",
    )

    class Meta:
        model = SpecField
        fields = "__all__"


@admin.register(SpecField)
class SpecFieldAdmin(VersionedContentAdmin):
    form = SpecFieldForm
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


class ReleaseYearFilter(SelectSimpleFilter):
    """Every year from the newest release to the oldest, newest first: two index reads (the
    catalog's "newest" and "oldest" orders), where listing the years devices have would
    read all 50,000 of them."""

    title = "release year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        dated = Device.objects.filter(released__isnull=False).values_list("released", flat=True)
        newest = dated.catalog_order("newest").first()
        if newest is None:
            return []
        oldest = dated.catalog_order("oldest").first()
        return [(str(year), str(year)) for year in range(newest.year, oldest.year - 1, -1)]

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

    A number outside its field's plausible range for the device's category kind ("201 st"
    as a phone's weight) is refused with the range, unless the editor ticks "I checked this
    value". The kind is the category posted with the device, when it is valid.
    """

    checked = forms.BooleanField(
        label="I checked this value",
        required=False,
        help_text="Keep a figure outside the field's plausible range.",
    )

    class Meta:
        model = SpecValue
        fields = ["field", "value", "number", "source"]
        help_texts = {"number": "Left blank, it is read from the text (in the field's unit)."}
        # Narrow inputs: five columns and the delete box fit the inline at 1280 px.
        widgets = {
            # One line for "6.7 in", growing with the text (css/admin-specs.css) for a
            # 2,000-character note: a textarea, so long values wrap and can be read.
            "value": forms.Textarea(attrs={"rows": 1, "cols": 20, "class": "spec-value-input"}),
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

    def has_changed(self):
        # A new row with nothing typed in it creates nothing, whichever field it names: the
        # pre-filled rows may have moved since the page was drawn (another editor filled
        # one in meanwhile), and an untouched row must not turn into an error.
        typed = any(self[name].data not in (None, "") for name in ("value", "number", "source"))
        if self.instance.pk is None and not typed:
            return False
        # Ticking "I checked this value" alone changes nothing.
        return bool(set(self.changed_data) - {"checked"})

    def clean(self):
        data = super().clean()
        field, value = data.get("field"), data.get("value")
        if field is None or not value:
            return data
        if not {"field", "value", "number"} & set(self.changed_data):
            return data  # only the source changed
        typed = data.get("number") if "number" in self.changed_data else None
        on = "number" if typed is not None else "value"
        try:
            data["value"], data["number"] = clean_value(field, value, typed)
        except SpecValueError as error:
            self.add_error(on, str(error))
            return data
        problem = field.outside_plausible(data["number"], self._kind(data))
        if problem and not data.get("checked"):
            self.add_error(on, f"{problem}. Check the unit, or tick “I checked this value”.")
        return data

    def validate_constraints(self):
        # A saved row that keeps its field keeps its one place in the sheet (its one
        # constraint, one value per field, holds in the database already): only a new row,
        # or one moved to another field, is looked up.
        if self.instance.pk is None or "field" in self.changed_data:
            super().validate_constraints()

    def _kind(self, data):
        """The category kind of the device as posted: the formset's parent form has been
        cleaned first, and its instance (the device here) carries a valid new category."""
        device = data.get("device")
        if device is None or device.category_id is None:
            return None
        return device.category.kind

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


class SharedSelect(forms.Select):
    """A select drawing its options once for every copy sharing ``drawn`` (the copies of
    a SharedChoiceField): each row's select is then a join, not a template per option
    (40 rows of 60 fields were 2,400 small templates, most of the device form's time)."""

    drawn = None

    def render(self, name, value, attrs=None, renderer=None):
        if self.drawn is None:
            return super().render(name, value, attrs, renderer)
        if "options" not in self.drawn:
            self.drawn["options"] = self._options()
        current = "" if value is None else str(value)
        parts = [
            html.replace(">", " selected>", 1) if key == current else html
            for key, html in self.drawn["options"]
        ]
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(attrs), mark_safe("".join(parts))
        )

    def _options(self):
        """(value, HTML) of each option, with (None, HTML) for the tags of groups."""
        parts = []
        for value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append((None, format_html('<optgroup label="{}">', value)))
                parts += [
                    (str(v), format_html('<option value="{}">{}</option>', v, text))
                    for v, text in label
                ]
                parts.append((None, "</optgroup>"))
            else:
                parts.append(
                    (str(value), format_html('<option value="{}">{}</option>', value, label))
                )
        return parts


class SharedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a list fetched once per request.

    Every inline row gets a copy of the formset's field; a plain ModelChoiceField would run
    its queryset again for each copy, to draw the options and again to check the choice.
    The copies share ``rows`` (fields with their group, in sheet order), so neither does.
    """

    iterator = SharedChoiceIterator
    widget = SharedSelect

    def __init__(self, rows, **kwargs):
        self.rows = rows
        self.by_pk = {str(row.pk): row for row in rows}
        queryset = SpecField.objects.filter(pk__in=list(self.by_pk))
        super().__init__(queryset, **kwargs)
        # Copies of the field (one per row) share the widget's drawn options.
        self.widget.drawn = {}

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


class SpecValueFormSet(LoadedRowsFormSet, DirectInputsFormSet):
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
    fields = ["group", "field", "value", "number", "source", "checked"]
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

    def field_rows(self, request, device):
        """(fields offered, those of them the device has no value for yet, its values), the
        fields in sheet order and the values as the rows show them.

        Two small queries: the device's values with their fields (those outside its
        category come with them), and its category's fields.
        """
        fields = SpecField.objects.select_related("group")
        if device is None or device.category_id is None:
            return list(fields), [], None
        offered = list(fields.filter(categories=device.category_id))
        if device.pk is None:
            return offered, [], None
        values = list(self.get_queryset(request).filter(device=device.pk))
        have = {value.field_id: value.field for value in values}
        missing = [f for f in offered if f.pk not in have]
        others = [field for pk, field in have.items() if pk not in {f.pk for f in offered}]
        if others:
            offered = sorted([*offered, *others], key=attrgetter("sheet_position"))
        return offered, missing, values

    def new_device_rows(self, request):
        """The same for a new device: its category's fields, every one pre-filled, when the
        add form was opened for a category (see requested_category), else every field. A
        posted form is checked against every field: its category may have changed since
        the rows were drawn."""
        fields = SpecField.objects.select_related("group")
        category = requested_category(request) if request.method == "GET" else None
        if category is None:
            return list(fields), []
        offered = list(fields.filter(categories=category))
        return offered, offered

    def get_formset(self, request, obj=None, **kwargs):
        values = None
        if obj is None:
            offered, missing = self.new_device_rows(request)
        else:
            offered, missing, values = self.field_rows(request, obj)
        if (obj is not None and obj.pk) or missing:
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

            def get_queryset(self):
                # The device's values as field_rows read them: not read again.
                if values is not None and self.instance.pk == obj.pk:
                    return values
                return super().get_queryset()

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


class CategoryChoice(forms.Form):
    category = forms.ModelChoiceField(Category.objects.all())


def requested_category(request):
    """The category a new device's form was opened for, or None: ``?category=<id>`` (the
    form reloads itself so when the category changes), else the category the device list
    was filtered by when its "Add device" was followed."""
    value = request.GET.get("category")
    if value is None:
        filters = QueryDict(request.GET.get("_changelist_filters", ""))
        value = filters.get("category__id__exact")
    choice = CategoryChoice({"category": value})
    return choice.cleaned_data["category"] if choice.is_valid() else None


def category_query(request, category):
    """The add form's query string for ``category``, keeping what the form was opened with."""
    query = request.GET.copy()
    query["category"] = category.pk
    return query.urlencode()


def unsaved_specs(formset):
    """The spec values a valid ``formset`` would leave the device with, unsaved and in sheet
    order: its rows but those deleted, and the new rows filled in."""
    deleted = set(formset.deleted_forms)
    specs = []
    for index, form in enumerate(formset.forms):
        if form in deleted or (index >= formset.initial_form_count() and not form.has_changed()):
            continue
        spec = form.save(commit=False)
        if spec.field_id and spec.value:
            specs.append(spec)
    return sorted(specs, key=lambda spec: spec.field.sheet_position)


# Read-only sections the apps above the catalog add to a device's change page, which
# cannot import them (news lists the stories that name the device): functions
# (request, device) -> HTML, or "" when they have nothing to show.
DEVICE_CHANGE_SECTIONS = []


class DeviceForm(LoadedRelationsForm):
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


def deletion_effects(ids):
    """What deleting the devices ``ids`` takes with it and changes elsewhere, as sentences for
    the delete confirmation; four or five queries, whatever the count.

    A device each of them powers loses "Powered by" and its carried values: the chip's
    values for the fields it has none of its own for.
    """
    values = list(
        SpecValue.objects.filter(device__in=ids).order_by().values_list("device_id", "field_id")
    )
    photos = DevicePhoto.objects.filter(device__in=ids).count()
    parts = [f"Photos: {photos}", f"spec values: {len(values)}"]
    for model, count in linked_from(Device, ids):
        if count:
            plural = model._meta.verbose_name_plural
            name = model._meta.verbose_name if count == 1 else plural
            parts.append(f"mentioned in {count} {name} (the {plural} stay)")
    notes = [", ".join(parts) + "."]
    powered = list(
        Device.objects.filter(powered_by__in=ids)
        .exclude(pk__in=ids)
        .order_by()
        .values_list("pk", "powered_by_id")
    )
    if powered:
        fields = defaultdict(set)
        for device_id, field_id in values:
            fields[device_id].add(field_id)
        own = SpecValue.objects.filter(device__in=[pk for pk, _chip in powered]).order_by()
        for device_id, field_id in own.values_list("device_id", "field_id"):
            fields[device_id].add(field_id)
        carried = sum(len(fields[chip] - fields[pk]) for pk, chip in powered)
        lose = "device loses" if len(powered) == 1 else "devices lose"
        notes.append(
            f"{len(powered)} {lose} “Powered by” and {carried} carried value{pluralize(carried)}."
        )
    return notes


@admin.register(Device)
class DeviceAdmin(
    LargeTableAdmin, CatalogIOAdmin, ConflictCheckedAdmin, TrashAdmin, FormRevisionAdmin
):
    history = DeviceHistory
    # What a device's revision holds with it (its reversion follow), from the inlines.
    revision_parts = (SpecValue, DevicePhoto)
    form = DeviceForm
    list_display = ["name", "brand", "category", "release", "launch_price", "status"]
    list_filter = ["category", "status", ("brand", SelectRelatedFilter), ReleaseYearFilter]
    list_select_related = ["brand", "category"]
    # What a page of the list reads (core.admin_lists): not the summaries.
    list_columns = [
        "name",
        "brand__name",
        "category__name",
        "status",
        "released",
        "released_precision",
        "launch_price",
    ]
    # Newest first and by price either way, unknown dates and prices last, as the catalog
    # sorts: the same expressions as its indexes (DeviceQuerySet.CATALOG_ORDERS).
    ordering = DeviceQuerySet.CATALOG_ORDERS["newest"]
    sort_orders = {
        "name": ((F("name"), F("id")), (F("name").desc(), F("id").desc())),
        "released": (
            DeviceQuerySet.CATALOG_ORDERS["oldest"],
            DeviceQuerySet.CATALOG_ORDERS["newest"],
        ),
        "launch_price": (
            DeviceQuerySet.CATALOG_ORDERS["price-low"],
            DeviceQuerySet.CATALOG_ORDERS["price-high"],
        ),
    }
    # "Show counts" would count every brand and year over 50,000 devices.
    show_facets = admin.ShowFacets.NEVER
    # Each word in the name, the slug or the brand's name (see get_search_results).
    search_fields = ["name", "slug", "brand__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["brand", "powered_by"]
    inlines = [SpecValueInline, DevicePhotoInline]
    actions = ["duplicate", "export_selected"]
    # The trash's link, and import and export for chief editors (catalog.admin_io).
    change_list_template = "admin/catalog/device/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "slug", "brand", "category", "powered_by"]}),
        ("Launch", {"fields": ["status", ("released", "released_precision"), "launch_price"]}),
        ("Presentation", {"fields": ["summary"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Devices with each word of ``search_term`` in their name, slug or brand's name, as
        Django's search over search_fields finds them, but with the brands read first (one
        short query) and matched by id: a join on the brand's name made both of the list's
        reads (its count and its page) go through every device, where the device's own
        columns use their trigram indexes on PostgreSQL (migration 0009)."""
        words = []
        for word in smart_split(search_term):
            # As Django reads the box: a quoted phrase is one word.
            if word.startswith(('"', "'")) and word[0] == word[-1] and len(word) > 1:
                word = unescape_string_literal(word)
            words.append(word)
        words = [word for word in words if word]
        if not words:
            return queryset, False
        brands = list(Brand.objects.values_list("pk", "name"))
        for word in words:
            folded = word.casefold()
            named = [pk for pk, name in brands if folded in name.casefold()]
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(slug__icontains=word) | Q(brand__in=named)
            )
        return queryset, False

    def get_object_queryset(self, request):
        # Its brand, category and chip with it: the form's choices take them as loaded.
        return (
            super().get_object_queryset(request).select_related("brand", "category", "powered_by")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", LoadedChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def deletion_notes(self, request, queryset):
        ids = [device.pk for device in queryset]
        return [*deletion_effects(ids), *super().deletion_notes(request, queryset)]

    class Media:
        js = ["js/admin-device.js"]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_preview"
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name=name),
            path("<path:object_id>/preview/", preview, name=name),
            *super().get_urls(),
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        category = requested_category(request)
        if category is not None:
            initial["category"] = category.pk
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_preview"
        context["preview_url"] = reverse(name, args=[obj.pk] if obj is not None else [])
        if add:
            context["category_links"] = [
                (category.name, f"?{category_query(request, category)}")
                for category in Category.objects.all()
            ]
        if obj is not None:
            sections = (section(request, obj) for section in DEVICE_CHANGE_SECTIONS)
            context["device_sections"] = [html for html in sections if html]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request, object_id=None):
        """The public device page drawn from the posted form, saved or not. Built in memory:
        nothing is written, so no cache, revision or file can keep an unsaved value."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        saved = None
        if object_id is not None:
            saved = self.get_object(request, unquote(object_id))
            if saved is None:
                raise Http404
        if saved is None:
            allowed = self.has_add_permission(request)
        else:
            allowed = self.has_change_permission(request, saved)
        if not allowed:
            raise PermissionDenied
        # The form's conflict check locks the row, as saving does: inside a transaction.
        with transaction.atomic(using=router.db_for_write(self.model)):
            device, specs, errors = self.unsaved(request, saved)
        if errors:
            context = {**self.admin_site.each_context(request), "errors": errors}
            context.update(title="The preview needs a valid form", opts=self.opts)
            return render(request, "admin/catalog/device/preview_errors.html", context, status=400)
        if device.powered_by_id:
            prefetch_related_objects([device.powered_by], spec_prefetch(to_attr=None))
        # What pictures are drawn from (catalog.outlines) and the key specs are read here.
        device.card_specs = specs
        context = {**device_page_context(request, device, specs), "preview": True}
        response = render(request, "catalog/device_detail.html", context)
        response["X-Robots-Tag"] = "noindex"
        return response

    def unsaved(self, request, saved):
        """(device, its spec values, errors): what the posted form would save over ``saved``
        (None for a new device), read as saving reads it, and kept in memory."""
        form = self.get_form(request, saved, change=saved is not None)(
            request.POST, request.FILES, instance=saved
        )
        errors = [] if form.is_valid() else [form.errors]
        device = form.instance if errors else form.save(commit=False)
        specs = list(saved.specs.with_fields()) if saved else []
        for inline in self.get_inline_instances(request, saved):
            if not isinstance(inline, SpecValueInline):
                continue
            formset_class = inline.get_formset(request, saved)
            prefix = formset_class.get_default_prefix()
            formset = formset_class(**self.get_formset_kwargs(request, device, inline, prefix))
            if formset.is_valid():
                specs = unsaved_specs(formset)
            else:
                errors += [*formset.errors, formset.non_form_errors()]
        return device, specs, [error for error in errors if error]

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


class RankingForm(forms.ModelForm):
    class Meta:
        model = Ranking
        fields = "__all__"

    def clean_query(self):
        """Refused unless the catalog's own parser takes all of it, with what it ignored."""
        query = self.cleaned_data["query"].strip().lstrip("?")
        notices = query_notices(query)
        if notices:
            raise forms.ValidationError(notices)
        return query


@admin.register(Ranking)
class RankingAdmin(VersionedContentAdmin):
    form = RankingForm
    list_display = ["title", "slug", "published", "order"]
    list_editable = ["order"]
    list_filter = ["published"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
