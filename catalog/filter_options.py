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

from .models import Brand, Category, SpecField

# A shared cache (Redis) outlives a deploy: a new shape of FilterOptions needs a new key.
OPTIONS_KEY = "catalog-filter-options-2"


class BrandChoice(NamedTuple):
    brand: Brand
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

    def fields_for(self, category):
        if category is None:
            return self.fields
        return [f for f in self.fields if category.pk in self.field_categories[f.pk]]

    def brands_for(self, category):
        """BrandChoices on offer: brands with devices in ``category``, or anywhere."""
        if category is None:
            return self.brands
        return self.category_brands.get(category.pk, [])


def filter_options():
    """The form's choices; three queries on a cold cache, none while the catalog is unchanged.

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
    brands, category_brands = _brand_counts()
    return FilterOptions(
        categories=categories,
        fields=sorted(every.values(), key=attrgetter("sheet_position")),
        field_categories={
            pk: {c.pk for c in categories if any(f.pk == pk for f in c.spec_fields.all())}
            for pk in every
        },
        brands=brands,
        category_brands=category_brands,
    )


def _brand_counts():
    """(every brand's BrandChoice, {category pk: its brands' BrandChoices}) in one query:
    a row per brand and category it has devices in, by brand name."""
    rows = (
        Brand.objects.annotate(category_pk=F("devices__category"), device_count=Count("devices"))
        .filter(category_pk__isnull=False)
        .order_by("name", "pk")
    )
    by_category = defaultdict(list)
    totals = {}
    for brand in rows:
        by_category[brand.category_pk].append(BrandChoice(brand, brand.device_count))
        total = totals.get(brand.pk)
        totals[brand.pk] = BrandChoice(brand, brand.device_count + (total.count if total else 0))
    return list(totals.values()), dict(by_category)
