"""What the catalog's filter form offers: categories, brands with their device counts, and
the filterable numeric fields, computed once per content version and shared by every process
through the cache.
"""

from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from django.db.models import Count, F, Prefetch

from core.content import content_version, get_or_compute

from .models import Brand, Category, Device, SpecField

# A shared cache (Redis) outlives a deploy: a new shape of FilterOptions needs a new key.
OPTIONS_KEY = "catalog-filter-options-3"


class BrandChoice(NamedTuple):
    brand: Brand
    count: int


class StatusChoice(NamedTuple):
    value: str
    label: str
    count: int


@dataclass
class FilterOptions:
    """Everything the form offers: categories, brands, filterable numeric fields."""

    categories: list
    fields: list
    # field pk -> set of category pks it applies to
    field_categories: dict
    # Every brand with devices, by name, with its device count.
    brands: list
    # category pk -> the brands with devices in it, by name, with their count there
    category_brands: dict
    # Every known status with devices, in Device.Status order, with its device count; and
    # the same per category pk.
    statuses: list
    category_statuses: dict

    def fields_for(self, category):
        if category is None:
            return self.fields
        return [f for f in self.fields if category.pk in self.field_categories[f.pk]]

    def brands_for(self, category):
        """BrandChoices on offer: brands with devices in ``category``, or anywhere."""
        if category is None:
            return self.brands
        return self.category_brands.get(category.pk, [])

    def statuses_for(self, category):
        """StatusChoices on offer: statuses devices in ``category`` (or anywhere) have."""
        if category is None:
            return self.statuses
        return self.category_statuses.get(category.pk, [])


def filter_options():
    """The form's choices; four queries on a cold cache, none while the catalog is unchanged.

    A field is offered for the categories it applies to; one that applies to no category
    is offered nowhere. A brand is offered where it has devices, with their count.
    """
    return get_or_compute(f"{OPTIONS_KEY}:{content_version()}", _load_filter_options, timeout=3600)


def _load_filter_options():
    fields = SpecField.objects.filter(filterable=True, kind=SpecField.Kind.NUMBER).select_related(
        "group"
    )
    categories = list(Category.objects.prefetch_related(Prefetch("spec_fields", queryset=fields)))
    every = {f.pk: f for c in categories for f in c.spec_fields.all()}
    brands, category_brands, statuses, category_statuses = _brand_and_status_counts()
    return FilterOptions(
        categories=categories,
        fields=sorted(every.values(), key=attrgetter("sheet_position")),
        field_categories={
            pk: {c.pk for c in categories if any(f.pk == pk for f in c.spec_fields.all())}
            for pk in every
        },
        brands=brands,
        category_brands=category_brands,
        statuses=statuses,
        category_statuses=category_statuses,
    )


def _brand_and_status_counts():
    """(every brand's BrandChoice, {category pk: its brands' BrandChoices}, every known
    status's StatusChoice, {category pk: its StatusChoices}) in one query: a row per brand,
    category and status it has devices in, by brand name."""
    rows = (
        Brand.objects.annotate(
            category_pk=F("devices__category"),
            device_status=F("devices__status"),
            device_count=Count("devices"),
        )
        .filter(category_pk__isnull=False)
        .order_by("name", "pk")
    )
    totals = {}  # brand pk -> [brand, count]
    brand_counts = defaultdict(dict)  # category pk -> {brand pk: [brand, count]}
    status_counts = defaultdict(lambda: defaultdict(int))  # category pk -> {status: count}
    for brand in rows:
        for counted in (
            totals.setdefault(brand.pk, [brand, 0]),
            brand_counts[brand.category_pk].setdefault(brand.pk, [brand, 0]),
        ):
            counted[1] += brand.device_count
        status_counts[brand.category_pk][brand.device_status] += brand.device_count
    every_status = defaultdict(int)
    for by_status in status_counts.values():
        for status, count in by_status.items():
            every_status[status] += count

    # Rows come by brand name, and dicts keep the order they were filled in.
    def brand_choices(counted):
        return [BrandChoice(brand, count) for brand, count in counted]

    def status_choices(by_status):
        return [
            StatusChoice(status.value, status.label, by_status[status.value])
            for status in Device.Status
            if by_status.get(status.value)
        ]

    return (
        brand_choices(totals.values()),
        {pk: brand_choices(by_brand.values()) for pk, by_brand in brand_counts.items()},
        status_choices(every_status),
        {pk: status_choices(by_status) for pk, by_status in status_counts.items()},
    )
