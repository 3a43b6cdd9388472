"""On PostgreSQL, each story keeps its title's tsvector in a stored generated column,
``search_title``, which ranks the matches of a search (news.search).

The ranking built that vector from the title for each of up to 300 matching stories on
every search: 2.5 ms of the database's time a search, 0.9 ms with the column. PostgreSQL
fills the column for existing rows when it is added (the table is rewritten: about 20 s
for 100,000 stories on a 2-core machine, during which the table is locked) and keeps it
in step with every change of the title. Django's models do not know it: nothing writes it.

SQLite needs nothing: FTS5 ranks with bm25 from its own index. Reversing drops the column.
"""

from django.db import migrations

# The title part of news.search.PG_VECTOR, in the column news.search.PG_TITLE_COLUMN names.
PG_ADD = """
    ALTER TABLE news_article ADD COLUMN search_title tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, specwise_unaccent(title)), 'A')
    ) STORED
"""
PG_DROP = "ALTER TABLE news_article DROP COLUMN IF EXISTS search_title"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_search_function"),
        ("news", "0010_article_admin_indexes"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(PG_ADD), _on_postgresql(PG_DROP)),
    ]
