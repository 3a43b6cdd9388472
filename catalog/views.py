import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from core import images
from core.http import HTMX_PARTIAL_HEADERS, is_htmx_partial
from core.pagecache import cache_public_page, dont_store
from core.pagination import paginate
from core.text import meta_text

from . import loading
from .filters import MAX_PAGES, PER_PAGE, CatalogFilters, is_catalog_parameter
from .models import Brand, Ranking, SpecField
from .rankings import published_rankings, ranked_devices
from .specs import spec_text, with_chip_values
from .units import format_number

# Sent by static/js/catalog.js: the category the form's spec filters were drawn for.
FIELDS_FOR_HEADER = "X-Catalog-Fields-For"


@require_safe
@vary_on_headers(*HTMX_PARTIAL_HEADERS, FIELDS_FOR_HEADER, "HX-Trigger")
@cache_public_page(params=is_catalog_parameter)
def device_list(request):
    filters = CatalogFilters.from_query(request.GET)
    page, page_notice = filters.page(request.GET.get("page"))
    if page_notice:
        filters.notice(page_notice)
    if filters.notices:
        dont_store(request)
    partial = is_htmx_partial(request)
    shown_for = request.headers.get(FIELDS_FOR_HEADER)
    context = {
        "filters": filters,
        "page": page,
        "devices": filters.named(page.object_list),
        "partial": partial,
        # Listed on the catalog's landing pages (every device, or a category's).
        "rankings": published_rankings() if filters.browsing and not partial else [],
        # The spec filters depend on the category: refresh them (out of band) only when
        # the form on screen was drawn for another one, so typing is never overwritten.
        "refresh_fields": partial
        and (shown_for is None or shown_for != (filters.category.slug if filters.category else "")),
        # The sort's choices follow the name search ("Best match" with one): refreshed unless
        # the visitor is using the sort itself.
        "refresh_sort": partial and request.headers.get("HX-Trigger") != "filter-sort",
    }
    template = "catalog/device_list.html"
    return render(request, f"{template}#results" if partial else template, context)


def product_json_ld(request, device, specs):
    """schema.org Product for a device page; ``specs`` are its spec values."""
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
        # The largest resized copy: the master may be 40 megapixels.
        data["image"] = request.build_absolute_uri(
            images.copy_url(device.image.name, images.WIDTHS[-1], "jpg")
        )
    if device.released:
        # At the precision known: "2008", "2019-03" or "2019-03-07" (ISO 8601 all three).
        data["releaseDate"] = device.released_iso
    specs = [s for s in specs if s.field.key]
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
    # The chip the value comes from, when the device has none of its own, and its page.
    chip: object = None
    chip_url: str = ""
    # When the value last changed: ("2024-03", "March 2024").
    changed: tuple = ("", "")

    @classmethod
    def of(cls, spec, chip=None, chip_url="", changed=("", "")):
        text = spec.value
        number = ""
        if spec.field.kind == SpecField.Kind.BOOLEAN:
            text = spec_text(spec)
        elif spec.field.kind == SpecField.Kind.NUMBER and spec.number is not None:
            number = format_number(spec.number, spec.field.unit)
            if _SAME_FIGURE.sub("", number).lower() == _SAME_FIGURE.sub("", text).lower():
                number = ""
        source = _source_link(spec.source.strip())
        return cls(spec, text, number, *source, chip=chip, chip_url=chip_url, changed=changed)

    def __str__(self):
        """The sheet's row (``{{ item }}``). Written here rather than in device_detail.html:
        a sheet has dozens of rows, and their template tags were a tenth of the page's
        render."""
        number = format_html(SHEET_NUMBER, self.number) if self.number else ""
        chip = ""
        if self.chip:
            chip = format_html(SHEET_CHIP, self.chip_url, self.chip.name)
        source = ""
        if self.source_url:
            source = format_html(SHEET_SOURCE_LINK, self.source_url, self.source_label)
        elif self.source_label:
            source = format_html(SHEET_SOURCE, self.source_label)
        return format_html(
            SHEET_ROW, self.spec.field.name, self.text, number, chip, source, *self.changed
        )

    __html__ = __str__


# The parts of a SheetValue's markup.
SHEET_ROW = (
    '<tr><th scope="row">{}</th><td><span class="spec-value">{}</span>{}{}\n'
    '<small class="spec-provenance">{}Updated <time datetime="{}">{}</time></small></td></tr>'
)
SHEET_NUMBER = ' <span class="spec-number">({})</span>'
SHEET_CHIP = (
    ' <span class="chip-value">· <a href="{}">{}</a>'
    '<span class="visually-hidden"> (the value of its chip)</span></span>'
)
SHEET_SOURCE_LINK = 'Source: <a href="{}" rel="nofollow noopener">{}</a> · '
SHEET_SOURCE = "Source: {} · "


def _source_link(source):
    """(URL, host name) for an http(s) source; ("", source) for a note or anything else."""
    if not source[:8].lower().startswith(("http://", "https://")):
        return "", source
    try:
        parts = urlsplit(source)
        host = parts.hostname
    except ValueError:  # "http://[oops": not a URL after all
        return "", source
    if parts.scheme in ("http", "https") and host:
        return source, host.removeprefix("www.")
    return "", source


def sheet_groups(device, specs):
    """[(group, [SheetValue])] in sheet order: the device's values ``specs`` and, for fields
    it has none of, its chip's (its ``sheet_specs``, else its prefetched ``specs``)."""
    chip = device.powered_by if device.powered_by_id else None
    entries = with_chip_values(specs, chip, chip_values(chip) if chip else [])
    # One reverse() for all the rows that carry the chip's value.
    chip_url = chip.get_absolute_url() if chip else ""
    entries.sort(key=lambda entry: entry[0].field.sheet_position)
    groups = []
    # "Updated March 2024" formatted once per month shown, not twice per row in the
    # template: values saved apart carry distinct times, but a sheet spans a few months
    # (date_format for each of 40 rows was a tenth of a device page's render).
    months, shown = {}, {}
    for spec, source in entries:
        group = spec.field.group
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        when = shown.get(spec.changed_at)
        if when is None:
            changed = localtime(spec.changed_at)
            month = (changed.year, changed.month)
            if month not in months:
                months[month] = (date_format(changed, "Y-m"), date_format(changed, "F Y"))
            when = shown[spec.changed_at] = months[month]
        carried_from = chip_url if source else ""
        groups[-1][1].append(SheetValue.of(spec, source, carried_from, when))
    return groups


@require_safe
@cache_public_page(params=["page"])
def device_detail(request, slug):
    # Written out (catalog.loading): most device pages are rendered afresh. Most devices
    # power none, and then need no query for them.
    device = loading.devices_with_related("slug", [slug], powers_count=True).get(slug)
    if device is None:
        raise Http404("No such device.")
    # One query for the device's values and its chip's.
    sheet = [device, device.powered_by] if device.powered_by_id else [device]
    specs = loading.spec_values(sheet)
    for shown in sheet:
        shown.sheet_specs = specs[shown.pk]
    # A chip may power hundreds of devices: they come a page at a time.
    powers = device.powers.select_related("brand", "category").order_by("name", "pk")
    powers_page, page_notice = paginate(
        powers, request.GET.get("page"), PER_PAGE, MAX_PAGES, count=device.powers_count
    )
    if page_notice:
        dont_store(request)
    context = {
        **device_page_context(request, device, device.sheet_specs),
        "powers": powers_page.object_list if device.powers_count else [],
        "powers_page": powers_page,
        "page_notice": page_notice,
    }
    return render(request, "catalog/device_detail.html", context)


def chip_values(chip):
    """The spec values of a device's chip as the device page read them."""
    values = getattr(chip, "sheet_specs", None)
    return chip.specs.all() if values is None else values


def device_page_context(request, device, specs):
    """What the device page shows of ``device`` and its spec values ``specs``, saved or not
    (the admin previews unsaved ones): prefetch its chip's specs."""
    return {
        "device": device,
        "spec_groups": sheet_groups(device, specs),
        "key_specs": [(s.field.name, spec_text(s)) for s in specs if s.field.key],
        "canonical_url": request.build_absolute_uri(device.get_absolute_url()),
        "json_ld": product_json_ld(request, device, specs),
    }


@require_safe
@cache_public_page(params=["page"])
def brand_detail(request, slug):
    brand = get_object_or_404(Brand, slug=slug)
    # Key specs are loaded by catalog.cards, for the cards it has not cached.
    devices = brand.devices.select_related("brand", "category").order_by("-released", "name", "pk")
    page, page_notice = paginate(devices, request.GET.get("page"), PER_PAGE, MAX_PAGES)
    if page_notice:
        dont_store(request)
    context = {
        "brand": brand,
        "page": page,
        "devices": page.object_list,
        "page_notice": page_notice,
        "canonical_url": request.build_absolute_uri(brand.get_absolute_url()),
    }
    return render(request, "catalog/brand_detail.html", context)


def ranking_json_ld(request, ranking, devices):
    """schema.org ItemList of a ranking's devices, in their order."""
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": ranking.title,
        "url": request.build_absolute_uri(ranking.get_absolute_url()),
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "url": request.build_absolute_uri(device.get_absolute_url()),
                "name": device.name,
            }
            for position, device in enumerate(devices, start=1)
        ],
    }


@require_safe
@cache_public_page(params=[])
def ranking_detail(request, slug):
    ranking = get_object_or_404(Ranking.objects.published(), slug=slug)
    devices = ranked_devices(ranking)
    context = {
        "ranking": ranking,
        "devices": devices,
        "paragraphs": [p.strip() for p in ranking.intro.split("\n\n") if p.strip()],
        "canonical_url": request.build_absolute_uri(ranking.get_absolute_url()),
        "json_ld": ranking_json_ld(request, ranking, devices),
    }
    return render(request, "catalog/ranking_detail.html", context)
