"""The catalog's query string: parse it, forgive it, and turn it into a queryset.

Parameters of ``/devices/`` (every one optional; empty values count as absent):

``q``
    A device name or part of it, e.g. ``q=pixel`` (at most 100 characters), matched by
    catalog.search: typos, spacing, case and accents forgiven. Its results come best
    match first unless another ``sort`` is given (``sort=relevance`` is that order).
``category``
    A category slug, e.g. ``category=phones``. It also narrows the brands, the spec filters
    and the spec sorts on offer to that category's.
``brand``
    A brand slug; repeat it for several brands: ``brand=xiaomi&brand=nothing``. With a
    category, only brands with devices in it count (another is ignored with a notice).
``status``
    A device status (``available``, ``announced``, ``rumoured``, ``discontinued``,
    ``cancelled``); repeat it for several: ``status=available&status=announced``.
``min_price`` / ``max_price``
    Launch price in USD, e.g. ``max_price=600``.
``year_from``
    Released in or after that year, e.g. ``year_from=2023``.
``min_<field>`` / ``max_<field>``
    A range on any numeric spec field marked filterable, in the field's unit, named after
    ``SpecField.slug`` (see ``spec_param``): ``min_ram=8``, ``min_battery-capacity=4500``,
    ``max_weight=200``. A field whose names would clash with the parameters above gets
    ``-spec`` added: a field slugged "price" is ``min_price-spec``, as ``min_price`` is the
    launch price.
``sort``
    ``newest`` (default without ``q``), ``relevance`` (default with it), ``oldest``,
    ``name``, ``price-low``, ``price-high``, or ``best-<field>`` for a filterable numeric
    spec (``best-ram``, ``best-price-spec``): best first by the field's direction (highest
    first when it has none), devices without a value last.
``page``
    1-based page number; 24 devices a page, at most MAX_PAGES pages (the rest is reached by
    narrowing the filters: a deep OFFSET costs as much as the rows it skips).

Nothing here raises on bad input: a value that cannot be used is dropped and explained in
``notices`` ("Ignored max_price=abc: not a number."), and the rest still applies.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import reverse
from django.utils.functional import cached_property

from core.pagination import paginate
from core.text import shown

from . import search as device_search
from .filter_options import FilterOptions, StatusChoice, filter_options
from .models import Category, Device, SpecField, SpecValue

PER_PAGE = 24
# Page N walks N × PER_PAGE rows of an index: a cap keeps the last page linked cheap.
MAX_PAGES = 100
MAX_QUERY_LENGTH = 100
# Far beyond any real price or spec, small enough for every database's number types.
MAX_NUMBER = Decimal(10) ** 9
# Query-string numbers are checked as text before any arithmetic: Decimal("1e-999999999") is
# cheap, but writing it out in full takes seconds and gigabytes.
MAX_NUMBER_LENGTH = 30
MAX_INTEGER_DIGITS = len(str(MAX_NUMBER))
# Plain decimal notation in ASCII digits, with at most a three-digit exponent ("1.5e3").
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
# Finer than any price or spec; also what turns "1e-999" away instead of into 0.
DECIMAL_PLACES = 6
SMALLEST_STEP = Decimal(1).scaleb(-DECIMAL_PLACES)
MIN_YEAR, MAX_YEAR = 1900, 2100
# A page with hundreds of notices helps nobody; the rest are counted, not listed.
MAX_NOTICES = 8

# Labels of DeviceQuerySet.CATALOG_ORDERS (each served by an index, unknown values last).
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "name": "Name A–Z",
    "price-low": "Price: low to high",
    "price-high": "Price: high to low",
}
DEFAULT_SORT = "newest"
# The order of a name search unless another is chosen: best match first (catalog.search).
RELEVANCE = "relevance"
SPEC_SORT_PREFIX = "best-"
PARAMETERS = {
    *("q", "category", "brand", "status", "min_price", "max_price", "year_from", "sort", "page")
}
SPEC_PARAM_SUFFIX = "-spec"


def is_catalog_parameter(name):
    """Whether ``name`` is a parameter of /devices/ (the page cache keys on these only)."""
    return name in PARAMETERS or name.startswith(("min_", "max_"))


def spec_param(spec_field):
    """The name of ``spec_field`` in the query string: ``min_<it>``, ``max_<it>``, ``best-<it>``.

    Its slug, unless ``min_<slug>`` or ``max_<slug>`` is a built-in parameter ("price" →
    "price-spec"), so that any field name works beside the launch price. A slug that already
    ends in "-spec" gets the suffix too, or a field slugged "price-spec" would take the name
    of the one slugged "price".
    """
    slug = spec_field.slug
    if {f"min_{slug}", f"max_{slug}"} & PARAMETERS or slug.endswith(SPEC_PARAM_SUFFIX):
        return slug + SPEC_PARAM_SUFFIX
    return slug


def ignored(name, raw, why):
    """The notice for a query-string value that was dropped: "Ignored max_price=-5: why."

    One wording for every parameter, so a visitor reads them all the same way."""
    return f"Ignored {shown(name)}={shown(raw)}: {why}."


def parse_decimal(raw):
    """(number, None) or (None, reason) for a query-string number.

    Accepts plain notation such as "12", "-0.5" or "1.5e3" (spaces are ignored) and returns
    it written out in full ("1500"), with at most DECIMAL_PLACES decimals and no larger than
    MAX_NUMBER either way. Digits other than 0-9, commas, NaN and Infinity are refused.
    """
    text = raw.strip().replace(" ", "")
    if len(text) > MAX_NUMBER_LENGTH:
        digits = text.lstrip("+-").lstrip("0")
        if len(digits) > MAX_INTEGER_DIGITS and digits.isascii() and digits.isdigit():
            return None, "the number is too large"
        return None, f"longer than {MAX_NUMBER_LENGTH} characters"
    if not PLAIN_NUMBER.fullmatch(text):
        if any(ch.isdigit() for ch in text):
            return None, "not a plain number (use the digits 0-9 and a dot, like 12.5)"
        return None, "not a number"
    # Cheap from here: a short text with an exponent within ±999.
    number = Decimal(text)
    if abs(number) > MAX_NUMBER:
        return None, "the number is too large"
    if number.is_zero():
        return Decimal(0), None  # also turns "-0" and "0e-50" into a plain 0
    if number.quantize(SMALLEST_STEP) != number:  # "2.50000000" is fine
        return None, f"more than {DECIMAL_PLACES} decimal places"
    # Plain notation, so "1e3" shows (and links) as "1000".
    return Decimal(format(number, "f")), None


@dataclass
class SpecRange:
    field: SpecField
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def min_name(self):
        return f"min_{spec_param(self.field)}"

    @property
    def max_name(self):
        return f"max_{spec_param(self.field)}"


@dataclass
class CatalogFilters:
    options: FilterOptions
    q: str = ""
    category: Category | None = None
    brands: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    year_from: int | None = None
    ranges: list = field(default_factory=list)
    sort: str = DEFAULT_SORT
    sort_field: SpecField | None = None
    notices: list = field(default_factory=list)

    @classmethod
    def from_query(cls, params, options=None):
        """Parse a QueryDict; never raises, notes every ignored part in ``notices``."""
        filters = cls(options=options or filter_options())
        filters._parse(params)
        return filters

    # Parsing

    def _first(self, params, name):
        values = [v for v in params.getlist(name) if v.strip()]
        if not values:
            return None
        if len(set(values)) > 1:
            self.notice(f'"{name}" was given {len(values)} times; used the first value only.')
        return values[0]

    def _number(self, params, name):
        raw = self._first(params, name)
        if raw is None:
            return None
        number, reason = parse_decimal(raw)
        if reason:
            self.notice(ignored(name, raw, reason))
        return number

    def _price(self, params, name):
        number = self._number(params, name)
        if number is not None and number < 0:
            self.notice(ignored(name, str(number), "a price cannot be negative"))
            return None
        return number

    def notice(self, text):
        self.notices.append(text)

    def _parse(self, params):
        q = self._first(params, "q") or ""
        q = "".join(ch for ch in q if ch.isprintable()).strip()
        if len(q) > MAX_QUERY_LENGTH:
            self.notice(f"The name search was cut to its first {MAX_QUERY_LENGTH} characters.")
            q = q[:MAX_QUERY_LENGTH]
        self.q = q

        slug = self._first(params, "category")
        if slug is not None:
            by_slug = {c.slug: c for c in self.options.categories}
            self.category = by_slug.get(slug)
            if self.category is None:
                self.notice(ignored("category", slug, "there is no such category"))

        offered = {choice.brand.slug: choice.brand for choice in self.brand_choices}
        every = {choice.brand.slug: choice.brand for choice in self.options.brands}
        for slug in dict.fromkeys(v for v in params.getlist("brand") if v.strip()):
            if slug in offered:
                self.brands.append(offered[slug])
            elif slug in every:
                # Applied, it would hide every device; dropped, the visitor sees why.
                reason = f"{every[slug].name} has no devices in {self.category.name}"
                self.notice(ignored("brand", slug, reason))
            else:
                self.notice(ignored("brand", slug, "there is no such brand"))

        self._parse_statuses(params)
        self.min_price = self._price(params, "min_price")
        self.max_price = self._price(params, "max_price")
        self._parse_year(params)
        self._parse_ranges(params)
        self._parse_sort(params)

    def _parse_statuses(self, params):
        given = {v for v in params.getlist("status") if v.strip()}
        known = set(Device.Status.values)
        for raw in sorted(given - known):
            self.notice(ignored("status", raw, "there is no such status"))
        # In Device.Status order, whatever the query's: one canonical URL per choice.
        self.statuses = [status for status in Device.Status if status.value in given]

    def _parse_year(self, params):
        raw = self._first(params, "year_from")
        if raw is None:
            return
        text = raw.strip()
        # Four ASCII digits before int(): int() also reads "２０２３" and "2_023".
        if not re.fullmatch(r"[0-9]{4}", text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
            why = f"give a year between {MIN_YEAR} and {MAX_YEAR}"
            self.notice(ignored("year_from", raw, why))
            return
        self.year_from = int(text)

    def _parse_ranges(self, params):
        offered = {spec_param(f): f for f in self.fields}
        every = {spec_param(f): f for f in self.options.fields}
        ranges = {}
        for name in params:
            prefix, _, param = name.partition("_")
            given = any(v.strip() for v in params.getlist(name))
            if prefix not in ("min", "max") or name in PARAMETERS or not given:
                continue
            if param not in offered:
                if param in every and self.category is not None:
                    reason = f"{every[param].name} is not a filter for {self.category.name}"
                else:
                    reason = "there is no such filter"
                raw = next(v for v in params.getlist(name) if v.strip())
                self.notice(ignored(name, raw, reason))
                continue
            number = self._number(params, name)
            if number is not None:
                spec_range = ranges.setdefault(offered[param].pk, SpecRange(offered[param]))
                setattr(spec_range, "low" if prefix == "min" else "high", number)
        self.ranges = [ranges[f.pk] for f in self.fields if f.pk in ranges]

    def _parse_sort(self, params):
        raw = self._first(params, "sort")
        if raw is None or raw in SORTS or raw == RELEVANCE:
            self.sort = raw or self.default_sort
            if raw == RELEVANCE and not self.q:
                self.sort = DEFAULT_SORT
            return
        fields = {spec_param(f): f for f in self.fields}
        param = raw.removeprefix(SPEC_SORT_PREFIX)
        if raw.startswith(SPEC_SORT_PREFIX) and param in fields:
            self.sort, self.sort_field = raw, fields[param]
            return
        self.notice(ignored("sort", raw, "unknown order; showing newest first"))

    # What the form and the results need

    @property
    def fields(self):
        """Filterable numeric fields on offer: the chosen category's, or all."""
        return self.options.fields_for(self.category)

    @property
    def spec_inputs(self):
        """One SpecRange per offered field, with the visitor's values where given."""
        given = {r.field.pk: r for r in self.ranges}
        return [given.get(f.pk, SpecRange(f)) for f in self.fields]

    @property
    def default_sort(self):
        """Best match first for a name search, else newest first."""
        return RELEVANCE if self.q else DEFAULT_SORT

    @property
    def sort_choices(self):
        # The default's value is empty so that it stays out of the URL.
        if self.q:
            return [("", "Best match"), *SORTS.items()]
        return [("" if v == DEFAULT_SORT else v, label) for v, label in SORTS.items()]

    @property
    def sort_value(self):
        return "" if self.sort == self.default_sort else self.sort

    @property
    def spec_sort_choices(self):
        """Sorts by a spec, best first: highest first unless lower is better."""
        return [
            (
                f"{SPEC_SORT_PREFIX}{spec_param(f)}",
                f"{f.name}: lowest first"
                if f.direction == SpecField.Direction.LOWER
                else f"{f.name}: highest first",
            )
            for f in self.fields
        ]

    @property
    def brand_choices(self):
        """BrandChoices on offer: the chosen category's brands, or all, with device counts."""
        return self.options.brands_for(self.category)

    @property
    def brand_slugs(self):
        return {b.slug for b in self.brands}

    @property
    def status_choices(self):
        """StatusChoices on offer: those the chosen category's devices (or any) have, and
        any the visitor chose even if no device has it now."""
        offered = self.options.statuses_for(self.category)
        counts = {choice.value: choice.count for choice in offered}
        return [
            StatusChoice(status.value, status.label, counts.get(status.value, 0))
            for status in Device.Status
            if status.value in counts or status in self.statuses
        ]

    @property
    def status_values(self):
        return {status.value for status in self.statuses}

    @property
    def active_count(self):
        simple = [self.q, self.category, self.min_price, self.max_price, self.year_from]
        return (
            sum(v is not None and v != "" for v in simple)
            + len(self.brands)
            + len(self.statuses)
            + sum((r.low is not None) + (r.high is not None) for r in self.ranges)
        )

    @property
    def shown_notices(self):
        return self.notices[:MAX_NOTICES]

    @property
    def hidden_notice_count(self):
        return max(0, len(self.notices) - MAX_NOTICES)

    def query_pairs(self):
        """The accepted filters as (name, value) pairs, in a stable order, without page."""
        pairs = []
        if self.q:
            pairs.append(("q", self.q))
        if self.category:
            pairs.append(("category", self.category.slug))
        pairs += [("brand", b.slug) for b in self.brands]
        pairs += [("status", status.value) for status in self.statuses]
        for name in ("min_price", "max_price", "year_from"):
            if getattr(self, name) is not None:
                pairs.append((name, str(getattr(self, name))))
        for r in self.ranges:
            pairs += [
                (n, str(v)) for n, v in ((r.min_name, r.low), (r.max_name, r.high)) if v is not None
            ]
        if self.sort != self.default_sort:
            pairs.append(("sort", self.sort))
        return pairs

    @property
    def querystring(self):
        return urlencode(self.query_pairs())

    @property
    def applied(self):
        """The filters in use as [(label, URL of the list without it)], for the chips above
        the results; the sort stays, the page does not."""
        chips = []
        if self.q:
            chips.append((f"Name matches “{self.q}”", [("q", self.q)]))
        if self.category:
            chips.append((f"Category: {self.category.name}", [("category", self.category.slug)]))
        chips += [(f"Brand: {b.name}", [("brand", b.slug)]) for b in self.brands]
        chips += [(f"Status: {s.label}", [("status", s.value)]) for s in self.statuses]
        if self.min_price is not None:
            chips.append((f"Price from {self.min_price} USD", [("min_price", str(self.min_price))]))
        if self.max_price is not None:
            chips.append(
                (f"Price up to {self.max_price} USD", [("max_price", str(self.max_price))])
            )
        if self.year_from is not None:
            chips.append(
                (f"Released in or after {self.year_from}", [("year_from", str(self.year_from))])
            )
        for r in self.ranges:
            unit = f" {r.field.unit}" if r.field.unit else ""
            for name, sign, value in ((r.min_name, "≥", r.low), (r.max_name, "≤", r.high)):
                if value is not None:
                    chips.append((f"{r.field.name} {sign} {value}{unit}", [(name, str(value))]))
        pairs = self.query_pairs()
        return [
            (label, self._list_url([p for p in pairs if p not in gone])) for label, gone in chips
        ]

    @property
    def clear_url(self):
        """The list without any filter, in the same order."""
        kept = self.sort not in (DEFAULT_SORT, RELEVANCE)
        return self._list_url([("sort", self.sort)] if kept else [])

    @staticmethod
    def _list_url(pairs):
        return (
            f"{reverse('catalog:device-list')}?{urlencode(pairs)}"
            if pairs
            else reverse("catalog:device-list")
        )

    # The queryset

    def filter(self, queryset):
        """Apply the filters (no ordering); specs are matched with EXISTS, one per field."""
        if self.q:
            queryset = queryset.filter(pk__in=device_search.among(self.matches.unordered_ids()))
        if self.category:
            queryset = queryset.filter(category=self.category)
        if self.brands:
            queryset = queryset.filter(brand__in=self.brands)
        if self.statuses:
            queryset = queryset.filter(status__in=self.statuses)
        if self.min_price is not None:
            queryset = queryset.filter(launch_price__gte=self.min_price)
        if self.max_price is not None:
            queryset = queryset.filter(launch_price__lte=self.max_price)
        if self.year_from is not None:
            queryset = queryset.filter(released__gte=datetime.date(self.year_from, 1, 1))
        for r in self.ranges:
            # .order_by(): SpecValue.Meta.ordering would join fields and groups for nothing.
            values = SpecValue.objects.order_by().filter(device=OuterRef("pk"), field=r.field)
            if r.low is not None:
                values = values.filter(number__gte=float(r.low))
            if r.high is not None:
                values = values.filter(number__lte=float(r.high))
            queryset = queryset.filter(Exists(values))
        return queryset

    def devices(self):
        """The filtered, sorted catalog, lazy, for ``page``: each sort walks an index.

        No join: the planner walks the sort's index (see DeviceQuerySet.CATALOG_ORDERS).
        ``named()`` gives the page's rows their brand and category; comparisons.catalog_cards
        loads key specs for the cards it has not cached.
        """
        if self.sort == RELEVANCE:
            return SearchSorted(self)
        devices = self.filter(Device.objects.defer("summary"))
        if self.sort_field is None:
            return devices.catalog_order(self.sort)
        return SpecSorted(self, devices)

    @property
    def browsing(self):
        """True when nothing narrows the list but a category: the catalog's landing pages."""
        return not (self.brands or self.statuses or self.narrowed)

    @property
    def narrowed(self):
        """Filters the options' counts know nothing of: name, price, year, spec ranges."""
        return bool(
            self.q
            or self.ranges
            or any(v is not None for v in (self.min_price, self.max_price, self.year_from))
        )

    def known_count(self):
        """How many devices match, from the options' counts when the filters are only a
        category and brands or statuses (not both); else None (a COUNT query tells)."""
        if self.narrowed or (self.brands and self.statuses):
            return None
        if self.statuses:
            counts = {c.value: c.count for c in self.options.statuses_for(self.category)}
            return sum(counts.get(status.value, 0) for status in self.statuses)
        counts = {c.brand.pk: c.count for c in self.brand_choices}
        if self.brands:
            return sum(counts.get(brand.pk, 0) for brand in self.brands)
        return sum(counts.values())

    @cached_property
    def matches(self):
        """The name search's matches (catalog.search), from the index: no query."""
        return device_search.search(self.q)

    @cached_property
    def suggestion(self):
        """For a name search that finds nothing: a nearby one that finds devices."""
        if not self.q or self.matches.count:
            return None
        return device_search.did_you_mean(self.q)

    @property
    def suggestion_url(self):
        """The list with the suggested name search instead, the other filters kept."""
        pairs = [("q", self.suggestion)] + [p for p in self.query_pairs() if p[0] != "q"]
        return self._list_url(pairs)

    def page(self, raw_page):
        """(the requested page of ``devices()``, notice or ""): PER_PAGE devices a page, at
        most MAX_PAGES pages linked."""
        return paginate(self.devices(), raw_page, PER_PAGE, MAX_PAGES, count=self.known_count())

    def named(self, devices):
        """``devices`` (a page) as a list, each with its brand and category from the cached
        options: no query."""
        brands = {choice.brand.pk: choice.brand for choice in self.options.brands}
        categories = {category.pk: category for category in self.options.categories}
        devices = list(devices)
        for device in devices:
            if device.brand_id in brands:
                device.brand = brands[device.brand_id]
            if device.category_id in categories:
                device.category = categories[device.category_id]
        return devices


class SearchSorted:
    """The name search's matches best first (catalog.search), within the other filters.

    The order is the index's, so the database only loads a page's rows by id; with other
    filters, one more query keeps the matches they allow (the ids go as one parameter).
    """

    def __init__(self, filters):
        self.filters = filters
        self.matches = filters.matches
        self.devices = Device.objects.defer("summary")
        self.narrowed = filters.active_count > 1

    @cached_property
    def _ids(self):
        """Every match the other filters allow, best first (only with other filters)."""
        ids = self.matches.ids()
        others = self.filters.filter(Device.objects.order_by()).values_list("pk", flat=True)
        allowed = set(others)
        return [pk for pk in ids if pk in allowed]

    def count(self):
        return len(self._ids) if self.narrowed else self.matches.count

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        start, stop = page.start or 0, page.stop
        ids = self._ids[start:stop] if self.narrowed else self.matches.ids(start, stop)
        return device_search.in_order(ids, self.devices)


class SpecSorted:
    """The filtered devices best first by a spec, and those without a value after them by
    name: two index walks, never a sort of the whole category.

    The devices with a value come from SpecValue's (field, number, device) index, walked
    forwards (lower is better) or backwards (higher is better), so devices with the same
    figure follow by id in the same direction. Ties are common (thousands of phones with
    8 GB of RAM): ordering them by name would sort every tie of a page's last figure per
    request. Each device's filters are checked with EXISTS (a join would let the planner
    start from the category and sort it all); the devices without a value come from the
    catalog's name index. Sliced by Paginator: a page is one query, plus one where it
    reaches the devices without a value.
    """

    def __init__(self, filters, devices):
        self.devices = devices
        spec_field = filters.sort_field
        if spec_field.direction == SpecField.Direction.LOWER:
            best = (F("number").asc(), F("device_id").asc())
            self.first = (F("sort_number").asc(), F("pk").asc())
        else:
            best = (F("number").desc(), F("device_id").desc())
            self.first = (F("sort_number").desc(), F("pk").desc())
        # .order_by() replaces SpecValue.Meta.ordering, which joins fields and groups.
        self.valued = (
            SpecValue.objects.filter(field=spec_field, number__isnull=False)
            .filter(Exists(filters.filter(Device.objects.filter(pk=OuterRef("device_id")))))
            .order_by(*best)
            .values_list("device_id", flat=True)
        )
        values = SpecValue.objects.order_by().filter(
            device=OuterRef("pk"), field=spec_field, number__isnull=False
        )
        self.number = Subquery(values.values("number")[:1])
        self.unvalued = devices.filter(~Exists(values)).catalog_order("name")

    @cached_property
    def _count(self):
        return self.devices.count()

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, page):
        start, stop = page.start or 0, page.stop
        # The page's ids picked in a subquery, their rows sorted again (24 of them).
        rows = list(
            Device.objects.defer("summary")
            .filter(pk__in=self.valued[start:stop])
            .annotate(sort_number=self.number)
            .order_by(*self.first)
        )
        if len(rows) < stop - start:
            # Past the valued devices: those without a value follow, by name.
            valued_count = start + len(rows) if rows else self.valued.count()
            skip = max(0, start - valued_count)
            rows += self.unvalued[skip : skip + stop - start - len(rows)]
        return rows
