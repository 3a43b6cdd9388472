import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from core.pagecache import cache_public_page, dont_store
from core.text import meta_text
from news.models import Article

from .compare import spec_text
from .filters import CatalogFilters, is_catalog_parameter, paginate
from .models import Brand, Device, SpecField
from .units import format_number

# Sent by static/js/catalog.js: the category the form's spec filters were drawn for.
FIELDS_FOR_HEADER = "X-Catalog-Fields-For"


def _is_partial(request):
    """An htmx swap of a region, not a boosted page load or a history restore."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request", FIELDS_FOR_HEADER)
@cache_public_page(params=is_catalog_parameter)
def device_list(request):
    filters = CatalogFilters.from_query(request.GET)
    page, page_notice = paginate(filters.devices(), request.GET.get("page"))
    if page_notice:
        filters.notice(page_notice)
    if filters.notices:
        dont_store(request)
    partial = _is_partial(request)
    shown_for = request.headers.get(FIELDS_FOR_HEADER)
    context = {
        "filters": filters,
        "page": page,
        "devices": page.object_list,
        "partial": partial,
        # The spec filters depend on the category: refresh them (out of band) only when
        # the form on screen was drawn for another one, so typing is never overwritten.
        "refresh_fields": partial
        and (shown_for is None or shown_for != (filters.category.slug if filters.category else "")),
    }
    template = "comparisons/device_list.html"
    return render(request, f"{template}#results" if partial else template, context)


def product_json_ld(request, device):
    """schema.org Product for a device page (uses prefetched specs)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": device.name,
        "url": request.build_absolute_uri(device.get_absolute_url()),
        "brand": {"@type": "Brand", "name": device.brand.name},
        "category": device.category.name,
    }
    if device.summary:
        data["description"] = meta_text(device.summary)
    if device.image:
        data["image"] = request.build_absolute_uri(device.image.url)
    if device.released:
        # At the precision known: "2008", "2019-03" or "2019-03-07" (ISO 8601 all three).
        data["releaseDate"] = device.released_iso
    specs = [s for s in device.specs.all() if s.field.key]
    if specs:
        data["additionalProperty"] = [
            {"@type": "PropertyValue", "name": s.field.name, "value": s.value} for s in specs
        ]
    return data


# "4700 mAh" and "4,700 mAh" say the same: spaces, thousands commas and case aside.
_SAME_FIGURE = re.compile(r"[\s,]")


@dataclass(frozen=True)
class SheetValue:
    """A spec value as the device page shows it: the source text, the stored number when
    the text says it another way ("1.37kg" stored as 1,370 g), and where it comes from."""

    spec: object
    text: str
    number: str = ""
    source_url: str = ""
    source_label: str = ""

    @classmethod
    def of(cls, spec):
        text = spec.value
        number = ""
        if spec.field.kind == SpecField.Kind.BOOLEAN:
            text = spec_text(spec)
        elif spec.field.kind == SpecField.Kind.NUMBER and spec.number is not None:
            number = format_number(spec.number, spec.field.unit)
            if _SAME_FIGURE.sub("", number).lower() == _SAME_FIGURE.sub("", text).lower():
                number = ""
        return cls(spec, text, number, *_source_link(spec.source.strip()))


def _source_link(source):
    """(URL, host name) for an http(s) source; ("", source) for a note or anything else."""
    try:
        parts = urlsplit(source)
        host = parts.hostname
    except ValueError:  # "http://[oops": not a URL after all
        return "", source
    if parts.scheme in ("http", "https") and host:
        return source, host.removeprefix("www.")
    return "", source


@require_safe
@cache_public_page
def device_detail(request, slug):
    device = get_object_or_404(Device.objects.with_specs(), slug=slug)
    context = {
        "device": device,
        "spec_groups": [
            (group, [SheetValue.of(spec) for spec in specs])
            for group, specs in device.spec_groups()
        ],
        "key_specs": [(s.field.name, spec_text(s)) for s in device.specs.all() if s.field.key],
        "powers": list(device.powers.select_related("brand", "category").order_by("name")),
        "related_news": Article.objects.for_device(device)[:5],
        "canonical_url": request.build_absolute_uri(device.get_absolute_url()),
        "json_ld": product_json_ld(request, device),
    }
    return render(request, "comparisons/device_detail.html", context)


@require_safe
@cache_public_page(params=["page"])
def brand_detail(request, slug):
    brand = get_object_or_404(Brand, slug=slug)
    devices = brand.devices.with_key_specs().order_by("-released", "name", "pk")
    page, page_notice = paginate(devices, request.GET.get("page"))
    if page_notice:
        dont_store(request)
    news = Article.objects.for_brand(brand)[:10]
    context = {
        "brand": brand,
        "page": page,
        "devices": page.object_list,
        "page_notice": page_notice,
        "news": news,
        "canonical_url": request.build_absolute_uri(brand.get_absolute_url()),
    }
    return render(request, "comparisons/brand_detail.html", context)
