"""Stories narrowed by the full-text index (news.search: FTS5 on SQLite, the weighted
tsvector on PostgreSQL) instead of reading every story's text: the admin's story search,
and the candidates for the stories that name a device."""

from django.db import connections
from django.db.models import F, Lookup, Q

from core.search import folded_contains

from .search import FTS_TABLE, PG_VECTOR, tokens


class FullTextMatch(Lookup):
    """The condition with_words adds, on the story's id (``lhs``): ``template`` with
    ``{pk}`` for the id column as the query names it (an outer query or a subquery's alias).
    A lookup, so that it stands in the WHERE clause as it is (an expression would be
    compared with true, which no index serves). ``count_sql`` (SQL, params), when set,
    counts the stories it alone selects, and ``estimate`` allows a list to use the
    planner's estimate when large (core.admin_lists.counted_by_condition)."""

    lookup_name = "full_text_match"
    prepare_rhs = False
    # On PostgreSQL, a list may count it from the planner's estimate when it is large.
    estimate = True

    def __init__(self, template, params, count_sql=None):
        super().__init__(F("pk"), params)
        self.template, self.count_sql = template, count_sql

    def as_sql(self, compiler, connection):
        pk, params = compiler.compile(self.lhs)
        return self.template.format(pk=pk), [*params, *self.rhs]


def with_words(queryset, text, common=True):
    """``queryset``'s stories whose title, summary or body holds every word of ``text``
    (as whole words, any form the index's stemmer folds together: "battery" finds
    "batteries"), case and accents aside; none when ``text`` has no word. One condition,
    served by the index on SQLite and PostgreSQL; elsewhere, a folded "contains".

    ``common``: the words may be in most stories ("battery"), and the stories are wanted in
    an order an index keeps (a list's page). Without it, they are fetched match by match:
    best for rare words (a device's name)."""
    words = tokens(text)
    if not words:
        return queryset.none()
    connection = connections[queryset.db]
    if connection.vendor == "sqlite":
        # Each token quoted: FTS5 reads it as a string, never as an operator.
        match = " ".join('"{}"'.format(word.replace('"', '""')) for word in words)
        fts = connection.ops.quote_name(FTS_TABLE)
        # "+" (common): the stories are read in the order asked for (an index), each checked
        # against the matches, rather than fetched one by one for each match (90,000 of
        # them for "battery") and then sorted.
        plus = "+" if common else ""
        condition = FullTextMatch(
            f"({plus}{{pk}} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s))",
            [match],
            # The index holds one row per story: with nothing else asked, it counts them.
            count_sql=(f"SELECT COUNT(*) FROM {fts} WHERE {fts} MATCH %s", [match]),
        )
        return queryset.filter(condition)
    if connection.vendor == "postgresql":
        condition = FullTextMatch(
            f"({PG_VECTOR}) @@ plainto_tsquery('english'::regconfig, specwise_unaccent(%s))",
            [" ".join(words)],
        )
        return queryset.filter(condition)
    condition = Q()
    for word in words:
        condition &= (
            folded_contains("title", word)
            | folded_contains("summary", word)
            | folded_contains("body", word)
        )
    return queryset.filter(condition)


def naming(queryset, device):
    """``queryset``'s stories whose names not in the catalog (``mentions``) or title contain
    ``device``'s name, case and accents aside, and that do not link it yet.

    No index serves "contains", so only likely stories are folded: those with names in
    ``mentions`` (a partial index holds them, a few among 100,000), and those whose text has
    every word of the name (the full-text index; a title naming the device has them, as
    whole words).
    """
    listed = queryset.exclude(mentions="").filter(folded_contains("mentions", device.name))
    titled = with_words(queryset, device.name, common=False)
    titled = titled.filter(folded_contains("title", device.name))
    likely = listed.values("pk").union(titled.values("pk"))
    return queryset.filter(pk__in=likely).exclude(devices=device)
