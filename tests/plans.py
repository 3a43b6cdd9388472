"""Query plans of written-out SQL, as each database prints them."""

from django.db import connection


def plan_of_sql(sql, params):
    """The plan of ``sql`` run with ``params``: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
    PostgreSQL, one line per row."""
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(" ".join(str(column) for column in row) for row in cursor.fetchall())
