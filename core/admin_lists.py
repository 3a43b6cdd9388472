"""Admin change lists that stay fast on big tables (50,000 devices, 100,000 stories).

- ``LargeTablePaginator``: an unfiltered list on PostgreSQL is counted from the planner's
  estimate (pg_class.reltuples) instead of reading the whole table, and so is a story
  search with many matches; the page says "about".
  A page reads the ids of its rows first, from the index that orders them, and then only
  those rows: a deep page (page 500) does not build and skip every row before it, and the
  joins for the list's related columns do not lead SQLite's planner away from that index.
- ``IndexedSortChangeList``: a column sorted either way uses the order the admin names for
  it in ``sort_orders`` (unknown values last both ways, the same expressions as an index).
- ``SelectListFilter``: a filter drawn as one drop-down and a button instead of a link per
  choice (43 brands), for any SimpleListFilter or related-field filter.
"""

import json

from django.contrib.admin import RelatedFieldListFilter, SimpleListFilter
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, OrderBy
from django.utils.functional import cached_property

# Below this many rows (by the planner's estimate) a table is counted exactly.
ESTIMATE_FROM = 10_000


def estimated_rows(queryset):
    """The planner's estimate of the rows of ``queryset``'s table when it is unfiltered and
    the database keeps one (PostgreSQL), else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.where or queryset.query.distinct:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    # -1 (or nothing) when the table was never analysed.
    if row is None or row[0] < ESTIMATE_FROM:
        return None
    return int(row[0])


def counted_by_condition(queryset):
    """(rows, estimated) for ``queryset`` when its one filter is a condition that says how
    to count it, else None: its ``count_sql`` counts exactly and cheaply (news.fulltext
    counts a search's matches in SQLite's full-text index, without reading the table);
    ``estimate`` (PostgreSQL) takes the planner's estimate when it is large, where an
    exact count would read every match (90,000 stories have "battery")."""
    query = queryset.query
    if len(query.where.children) != 1 or query.distinct or query.combinator:
        return None
    (condition,) = query.where.children
    connection = connections[queryset.db]
    count_sql = getattr(condition, "count_sql", None)
    if count_sql is not None:
        with connection.cursor() as cursor:
            cursor.execute(*count_sql)
            return cursor.fetchone()[0], False
    if getattr(condition, "estimate", False) and connection.vendor == "postgresql":
        plan = json.loads(queryset.order_by().explain(format="json"))
        rows = int(plan[0]["Plan"]["Plan Rows"])
        if rows >= ESTIMATE_FROM:
            return rows, True
    return None


class LargeTablePaginator(Paginator):
    """See the module's docstring. ``estimated`` says whether ``count`` is an estimate."""

    estimated = False

    @cached_property
    def count(self):
        estimate = estimated_rows(self.object_list)
        if estimate is not None:
            self.estimated = True
            return estimate
        counted = counted_by_condition(self.object_list)
        if counted is None:
            return super().count
        count, self.estimated = counted
        return count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.estimated and top + self.orphans >= self.count:
            top = self.count
        # The ids alone come from the ordering index; then the rows are fetched by id, in
        # the same order, without the filters and searches that found them.
        source = self.object_list
        ids = list(source.values_list("pk", flat=True)[bottom:top])
        rows = source.model._default_manager.db_manager(source.db).filter(pk__in=ids)
        related = source.query.select_related
        if related is True:
            rows = rows.select_related()
        elif related:
            rows = rows.select_related(*_paths(related))
        return self._get_page(rows.order_by(*source.query.order_by), number, self)


def _paths(tree, prefix=""):
    """["brand", "author__user"] from select_related's {"brand": {}, "author": {"user": {}}}."""
    paths = []
    for name, below in tree.items():
        paths += _paths(below, f"{prefix}{name}__") if below else [f"{prefix}{name}"]
    return paths


class IndexedSortChangeList(ChangeList):
    """A change list whose admin's ``sort_orders`` maps an ordering field (a column's
    ``ordering``) to its (ascending, descending) orders: tuples of expressions ending with
    a unique column, as the model's indexes hold them."""

    def get_ordering(self, request, queryset):
        orders = getattr(self.model_admin, "sort_orders", {})
        if not self.params.get(ORDER_VAR):
            return super().get_ordering(request, queryset)
        ordering = []
        for part in self.params[ORDER_VAR].split("."):
            _, prefix, index = part.rpartition("-")
            try:
                field = self.get_ordering_field(self.list_display[int(index)])
            except (IndexError, ValueError):
                continue
            if isinstance(field, str) and field in orders:
                ordering += orders[field][1 if prefix == "-" else 0]
            elif isinstance(field, str):
                ordering.append(f"{prefix}{field}")
            elif isinstance(field, OrderBy):
                field = field.copy()
                if prefix == "-":
                    field.reverse_ordering()
                ordering.append(field)
            elif field:
                ordering.append(field.desc() if prefix == "-" else field.asc())
        if _ends_unique(ordering):
            return ordering
        return super().get_ordering(request, queryset)

    def get_results(self, request):
        super().get_results(request)
        columns = getattr(self.model_admin, "list_columns", None)
        if columns:
            self.result_list = self.result_list.only(*columns)


def _ends_unique(ordering):
    last = ordering[-1] if ordering else None
    if isinstance(last, OrderBy):
        last = last.expression
    return isinstance(last, F) and last.name in {"id", "pk"}


class LargeTableAdmin:
    """Mixed into a ModelAdmin: the change list above, its paginator, no second count of
    the whole table, and ``list_columns`` (the list's own columns, with ``__`` paths into
    the related rows it selects) as the only ones a page reads."""

    paginator = LargeTablePaginator
    show_full_result_count = False
    list_columns = None

    def get_changelist(self, request, **kwargs):
        return IndexedSortChangeList


class SelectListFilter:
    """Mixed into a list filter: its choices in a drop-down with a "Filter" button, the
    list's other parameters kept (admin/select_filter.html); no script needed."""

    template = "admin/select_filter.html"

    def choices(self, changelist):
        name = self.select_parameter()
        current = changelist.params.get(name)
        own = set(self.expected_parameters())
        self.select_name = name
        self.select_options = [
            (str(value), label, str(value) == current) for value, label in self.lookup_choices
        ]
        self.select_current = current
        self.hidden_params = [
            (key, value) for key, value in changelist.params.items() if key not in own
        ]
        # The "All" link: the list without this filter.
        self.all_url = changelist.get_query_string(remove=[*own])
        return []

    def has_output(self):
        return bool(self.lookup_choices)


class SelectRelatedFilter(SelectListFilter, RelatedFieldListFilter):
    """A foreign key's filter (list_filter = [("brand", SelectRelatedFilter)])."""

    def select_parameter(self):
        return self.lookup_kwarg


class SelectSimpleFilter(SelectListFilter, SimpleListFilter):
    """A SimpleListFilter drawn as a drop-down."""

    def select_parameter(self):
        return self.parameter_name
