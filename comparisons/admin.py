from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q

from core.admin import ContentAdmin

from .models import (
    Brand,
    Category,
    ComparisonCount,
    Device,
    SpecField,
    SpecGroup,
    SpecValue,
    parse_number,
)


@admin.register(Brand)
class BrandAdmin(ContentAdmin):
    list_display = ["name", "slug", "device_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices"))

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, brand):
        return brand.device_count


@admin.register(Category)
class CategoryAdmin(ContentAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SpecGroup)
class SpecGroupAdmin(ContentAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(SpecField)
class SpecFieldAdmin(ContentAdmin):
    list_display = ["name", "group", "unit", "kind", "direction", "order", "filterable", "key"]
    list_editable = ["order", "filterable", "key"]
    list_filter = ["group", "kind", "direction", "filterable", "key", "categories"]
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
    class Meta:
        model = SpecValue
        fields = ["field", "value", "number"]
        help_texts = {"number": "Left blank, it is read from the text (the largest number)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A pre-filled extra row carries its SpecField in `initial`; putting it on the
        # instance lets the read-only group column show without a query per row.
        field = self.initial.get("field")
        if self.instance.field_id is None and isinstance(field, SpecField):
            self.instance.field = field

    def clean(self):
        data = super().clean()
        field, value = data.get("field"), data.get("value")
        if field is None or not value:
            return data
        if "value" in self.changed_data and "number" not in self.changed_data:
            # The text changed and the number did not: read the number again from the text.
            data["number"] = None
        if field.kind == SpecField.Kind.NUMBER:
            if data.get("number") is None and parse_number(value) is None:
                self.add_error("number", f"{field.name} is a number: give one here or in the text.")
        elif field.kind == SpecField.Kind.BOOLEAN:
            word = value.strip().lower()
            if word not in {"yes", "no"}:
                self.add_error("value", f"{field.name} is yes-no: write Yes or No.")
            else:
                data["value"] = word.capitalize()
            data["number"] = None
        else:
            data["number"] = None
        return data


class SpecValueInline(admin.TabularInline):
    model = SpecValue
    form = SpecValueForm
    fields = ["group", "field", "value", "number"]
    readonly_fields = ["group"]
    extra = 3
    parent = None

    class Media:
        css = {"all": ["css/admin-specs.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("field__group")
            .order_by("field__group__order", "field__group__name", "field__order", "field__name")
        )

    @admin.display(description="group")
    def group(self, spec):
        return spec.field.group.name if spec.field_id else ""

    def category_fields(self):
        """Fields offered for the device being edited; one query."""
        device = self.parent
        fields = SpecField.objects.select_related("group")
        if device is None or device.category_id is None:
            return fields
        if device.pk is None:
            return fields.filter(categories=device.category_id)
        # Fields the device already has stay valid choices after a change of category.
        offered = SpecField.objects.filter(
            Q(categories=device.category_id) | Q(values__device=device.pk)
        )
        return fields.filter(pk__in=offered.values("pk"))

    def get_formset(self, request, obj=None, **kwargs):
        self.parent = obj
        missing = []
        if obj is not None and obj.pk and obj.category_id:
            have = set(obj.specs.values_list("field_id", flat=True))
            missing = [
                f
                for f in SpecField.objects.filter(categories=obj.category_id).select_related(
                    "group"
                )
                if f.pk not in have
            ]
            kwargs["extra"] = len(missing) or 1
        formset = super().get_formset(request, obj, **kwargs)
        initial = [{"field": field} for field in missing]

        class PrefilledFormSet(formset):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("initial", initial)
                super().__init__(*args, **kwargs)

        return PrefilledFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "field":
            kwargs["queryset"] = self.category_fields()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "field":
            # Add/change/view links on every row crowd the table; fields have their own page.
            for flag in ("can_add_related", "can_change_related", "can_view_related"):
                setattr(formfield.widget, flag, False)
        return formfield


def _unique_copy_slug(slug):
    base = f"{slug[:190]}-copy"
    taken = set(Device.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def duplicate_device(device):
    """A copy of ``device`` and its spec values under a new unique slug; returns the copy."""
    specs = list(device.specs.all())
    copy = Device.objects.get(pk=device.pk)
    copy.pk = None
    copy._state.adding = True
    copy.slug = _unique_copy_slug(device.slug)
    copy.name = f"{device.name[:193]} (copy)"
    copy.save()
    SpecValue.objects.bulk_create(
        SpecValue(device=copy, field_id=s.field_id, value=s.value, number=s.number) for s in specs
    )
    return copy


@admin.register(Device)
class DeviceAdmin(ContentAdmin):
    list_display = ["name", "brand", "category", "released", "launch_price"]
    list_filter = ["category", "brand", ReleaseYearFilter]
    list_select_related = ["brand", "category"]
    search_fields = ["name", "slug", "brand__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["brand", "powered_by"]
    inlines = [SpecValueInline]
    actions = ["duplicate"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "brand", "category", "powered_by"]}),
        ("Launch", {"fields": ["released", "launch_price"]}),
        ("Presentation", {"fields": ["summary", "image"]}),
    ]

    @admin.action(description="Duplicate selected devices", permissions=["add"])
    def duplicate(self, request, queryset):
        with transaction.atomic():
            copies = [duplicate_device(device) for device in queryset.order_by("pk")]
        names = ", ".join(copy.name for copy in copies)
        noun = "device" if len(copies) == 1 else "devices"
        self.message_user(
            request, f"Duplicated {len(copies)} {noun}: {names}.", level=messages.SUCCESS
        )


@admin.register(ComparisonCount)
class ComparisonCountAdmin(admin.ModelAdmin):
    list_display = ["key", "views", "updated_at"]
    search_fields = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
