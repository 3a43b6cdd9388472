"""One search over the news and the catalog, safe on any input.

Articles use the database's own full-text index (see migrations 0002 and 0003): FTS5 on
SQLite, a GIN-indexed weighted tsvector on PostgreSQL. Titles weigh more than summaries and
bodies. Visitors' input never reaches the query syntax: it is cut into plain word
tokens first, so quotes, operators (AND OR NOT NEAR * ^ : -), parentheses and NUL
bytes are just ignored.

Case and accents never matter ("portege" finds "Portégé" and the other way round): FTS5's
tokenizer folds both sides on SQLite; on PostgreSQL the indexed text and the query both go
through ``specwise_unaccent`` (core.search), and so do device names and brands everywhere.
"""

import re

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from catalog import search as device_search
from core.search import folded_contains

from .models import Article, card_columns, card_join, with_bylines

MAX_QUERY_CHARS = 200
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 40
_WORD = re.compile(r"\w+", re.UNICODE)
# Query-syntax words: dropped rather than required in the text (PostgreSQL drops
# them too, as stop words).
OPERATOR_WORDS = {"and", "or", "not", "near"}

# Must stay identical to the index expression in migration 0003.
PG_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, specwise_unaccent(title)), 'A')"
    " || setweight(to_tsvector('english'::regconfig,"
    " specwise_unaccent(summary || ' ' || body)), 'B')"
)
# Where PostgreSQL looks first for the newest matches: among the newest 5,000 stories (by
# id); then in a window as wide as the matches found there call for (see _next_window); the
# last of at most PG_WINDOWS queries takes every story, so a search page keeps its budget.
PG_FIRST_WINDOW = 5_000
PG_WINDOWS = 3
# What ranks matching stories on PostgreSQL: the title's words, kept by migration 0011 in a
# stored generated column (its expression: the title part of PG_VECTOR).
PG_TITLE_COLUMN = "search_title"
# bm25 weights per column: title, summary, body.
FTS5_WEIGHTS = "10.0, 3.0, 1.0"
# The FTS5 table of migration 0002 (Django does not manage it): its rowid is the article's id.
FTS_TABLE = "news_article_fts"
# Only the newest RANKED_MATCHES stories that match (by id) are ranked: a common word
# matches tens of thousands, and ranking them all cost 300 ms a search at 100,000 stories.
RANKED_MATCHES = 300


def clean_query(query):
    """The visitor's text, trimmed to what the search box allows and without NULs."""
    return (query or "").replace("\x00", " ").strip()[:MAX_QUERY_CHARS]


def tokens(query):
    """Plain word tokens of ``query``: at most MAX_TOKENS, each at most MAX_TOKEN_CHARS."""
    words = _WORD.findall(clean_query(query))
    words = [
        word[:MAX_TOKEN_CHARS]
        for word in words
        if word.strip("_") and word.lower() not in OPERATOR_WORDS
    ]
    return words[:MAX_TOKENS]


def _pg_newest_matches(text):
    """Ids of the newest RANKED_MATCHES stories matching ``text`` (all of them if fewer
    match), on PostgreSQL: one query per window of the newest stories (by id) until one
    holds that many, so a common word's matches are sorted among a few thousand stories
    only, and a rare word's are found in two queries.

    "+ 0": ordered by the id itself, PostgreSQL walked the primary key backwards and built
    each story's tsvector from its text (2 s for a common word); this way the GIN index
    finds the matches and only their ids are sorted. The newest id is read first, on its
    own: as a subquery its value was unknown when the window's query was planned, and the
    planner, expecting a third of the table, ran it in parallel workers — 20 ms where the
    window alone takes 5.
    """
    qn, meta = connection.ops.quote_name, Article._meta
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({pk}) FROM {table}")
        newest = cursor.fetchone()[0] or 0
        window = PG_FIRST_WINDOW if newest > PG_FIRST_WINDOW else None
        for after in range(PG_WINDOWS - 1, -1, -1):  # queries left after this one
            newer = f"{pk} > %s AND " if window else ""
            cursor.execute(
                f"""SELECT {pk} FROM {table}
                WHERE {newer}({PG_VECTOR})
                    @@ plainto_tsquery('english'::regconfig, specwise_unaccent(%s))
                ORDER BY {pk} + 0 DESC LIMIT %s""",
                [*([newest - window] if window else []), text, RANKED_MATCHES],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) == RANKED_MATCHES or window is None:
                return ids
            window = _next_window(window, len(ids), newest) if after > 1 else None
    return ids


def _next_window(window, found, newest):
    """The window to look in after ``window`` (a number of the newest stories) held only
    ``found`` matches: twice what should hold RANKED_MATCHES at that rate, or every story
    (None) when that is half of them or more. A fixed 5,000, 25,000, then all took three
    queries for most two-word searches, 2.6 ms a search on average; this way, 1.8 ms."""
    wanted = 2 * window * RANKED_MATCHES // max(found, 1)
    return None if wanted >= newest // 2 else wanted


def search_articles(query, limit=20):
    """Published articles matching every word of ``query``, best first: one query on SQLite;
    on PostgreSQL, the newest id, the window(s) of ``_pg_newest_matches``, then the ranking."""
    words = tokens(query)
    if not words:
        return []
    now = timezone.now()
    published = Article.Status.PUBLISHED
    qn, meta = connection.ops.quote_name, Article._meta
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    when, status = qn(meta.get_field("published_at").column), qn(meta.get_field("status").column)
    if connection.vendor == "sqlite":
        # Each token quoted: FTS5 reads it as a string, never as an operator.
        match = " ".join('"{}"'.format(word.replace('"', '""')) for word in words)
        fts = qn(FTS_TABLE)
        sql = f"""
            SELECT {", ".join(card_columns(qn, "a"))}
            FROM {fts} f JOIN {table} a ON a.{pk} = f.rowid {card_join(qn, "a")}
            WHERE {fts} MATCH %s AND a.{status} = %s AND a.{when} <= %s
                AND f.rowid >= COALESCE((
                    SELECT rowid FROM {fts} WHERE {fts} MATCH %s
                    ORDER BY rowid DESC LIMIT 1 OFFSET %s
                ), 0)
            ORDER BY bm25({fts}, {FTS5_WEIGHTS}), a.{when} DESC
            LIMIT %s
        """
        params = [match, published, now, match, RANKED_MATCHES - 1, limit]
        return with_bylines(Article.objects.raw(sql, params))
    if connection.vendor == "postgresql":
        text = " ".join(words)
        # plainto_tsquery: every word required, no operators, stop words dropped.
        matches = _pg_newest_matches(text)
        if not matches:
            return []
        # Ranked by the title (weight A; the summary and body weigh B), stored (migration
        # 0011): ranking by the whole text rebuilt each candidate's tsvector from its body,
        # 0.2 ms a story, and by the title built it from the title, 2.5 ms a search. The
        # matches are taken by id: the index is not asked twice.
        sql = f"""
            SELECT {", ".join(card_columns(qn, table))}
            FROM {table} {card_join(qn, table)},
                plainto_tsquery('english'::regconfig, specwise_unaccent(%s)) query
            WHERE {table}.{pk} = ANY(%s) AND {table}.{status} = %s AND {table}.{when} <= %s
            ORDER BY ts_rank({table}.{qn(PG_TITLE_COLUMN)}, query) DESC, {table}.{when} DESC
            LIMIT %s
        """
        params = [text, matches, published, now, limit]
        return with_bylines(Article.objects.raw(sql, params))
    condition = Q()
    for word in words:
        condition &= folded_contains("title", word) | folded_contains("summary", word)
    return list(Article.objects.published().filter(condition).for_cards()[:limit])


def search_devices(query, limit=20):
    """The best ``limit`` devices for ``query`` (catalog.search: typos, spacing, case and
    accents tolerated, best first); one query."""
    return device_search.find(query, limit).devices
