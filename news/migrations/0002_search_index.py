"""Full-text search index for articles, kept by the database itself.

SQLite: an external-content FTS5 table over news_article(title, summary, body) kept in
step by triggers, so bulk_create and raw SQL writes are indexed too. PostgreSQL: a GIN
index on the weighted tsvector expression that news/search.py queries (same text, or
the planner will not use it). Other databases: nothing (search falls back to LIKE).

Warning for later migrations: when Django's SQLite schema editor rebuilds
news_article (some AlterField operations copy the table), the triggers are dropped with
the old table; such a migration must run SQLITE_TRIGGERS again and rebuild the index.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS news_article_fts USING fts5(
        title, summary, body,
        content='news_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
]
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER IF NOT EXISTS news_article_fts_insert AFTER INSERT ON news_article BEGIN
        INSERT INTO news_article_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS news_article_fts_delete AFTER DELETE ON news_article BEGIN
        INSERT INTO news_article_fts(news_article_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS news_article_fts_update
    AFTER UPDATE OF title, summary, body ON news_article BEGIN
        INSERT INTO news_article_fts(news_article_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO news_article_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
    "INSERT INTO news_article_fts(news_article_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS news_article_fts_insert",
    "DROP TRIGGER IF EXISTS news_article_fts_delete",
    "DROP TRIGGER IF EXISTS news_article_fts_update",
    "DROP TABLE IF EXISTS news_article_fts",
]

# Must stay identical to news.search.PG_VECTOR.
PG_CREATE = [
    """
    CREATE INDEX IF NOT EXISTS news_article_search ON news_article USING GIN ((
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, summary || ' ' || body), 'B')
    ))
    """,
]
PG_DROP = ["DROP INDEX IF EXISTS news_article_search"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE + SQLITE_TRIGGERS, "postgresql": PG_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": PG_DROP}),
        ),
    ]
