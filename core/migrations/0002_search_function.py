"""``specwise_unaccent(text)`` on PostgreSQL: search that ignores case and accents.

The unaccent extension's own ``unaccent(text)`` is only STABLE (it reads the dictionary
through the search path), so no index expression may use it. The wrapper names the schema
and the dictionary outright and is IMMUTABLE, which makes it usable in the articles'
full-text index (news 0003) and keeps it equal to core.search.fold on SQLite, where the
same name is a Python function registered on every connection (nothing to migrate there).

Reversing drops the function only: the extension may serve others, and keeping it costs
nothing.
"""

from django.db import migrations

PG_CREATE = [
    # Trusted since PostgreSQL 13: the database owner may create it without superuser.
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """
    CREATE OR REPLACE FUNCTION specwise_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
    """,
]
PG_DROP = ["DROP FUNCTION IF EXISTS specwise_unaccent(text)"]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(PG_CREATE), _on_postgresql(PG_DROP)),
    ]
