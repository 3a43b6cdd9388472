"""Article search ignores accents on PostgreSQL too: rebuild 0002's index over folded text.

0002 made a GIN index over a weighted tsvector of title, summary and body; "portege" did not
find "Portégé" in it. This migration drops that index and creates it again, under the same
name, over the same text passed through ``specwise_unaccent`` (core 0002), the expression
news.search.PG_VECTOR now queries. Reversing restores 0002's index.

SQLite needs nothing: 0002's FTS5 table already folds case and accents in its tokenizer
(``unicode61 remove_diacritics 2``), for the text and for the query alike.
"""

from django.db import migrations

# Serves search_articles on PostgreSQL: WHERE (PG_VECTOR) @@ query, ORDER BY ts_rank.
# Must stay identical to news.search.PG_VECTOR, or the planner will not use it.
PG_CREATE_FOLDED = """
    CREATE INDEX news_article_search ON news_article USING GIN ((
        setweight(to_tsvector('english'::regconfig, specwise_unaccent(title)), 'A')
        || setweight(
            to_tsvector('english'::regconfig, specwise_unaccent(summary || ' ' || body)), 'B'
        )
    ))
"""
# 0002's index, for the way back.
PG_CREATE_PLAIN = """
    CREATE INDEX news_article_search ON news_article USING GIN ((
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, summary || ' ' || body), 'B')
    ))
"""
PG_DROP = "DROP INDEX IF EXISTS news_article_search"


def _on_postgresql(create):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(PG_DROP)
            schema_editor.execute(create)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_search_function"),
        ("news", "0002_search_index"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(PG_CREATE_FOLDED), _on_postgresql(PG_CREATE_PLAIN)),
    ]
