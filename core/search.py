"""Search text folded the same way in Python and in SQL: case and accents ignored.

"portege" finds "Portégé" and "Portégé" finds "Portege" only if both sides of a comparison
are folded by the same rule, so the rule runs inside the database under one name,
``specwise_unaccent(text)``, on both databases: on SQLite it is ``fold`` below, registered
on every new connection (``register_sqlite_function``); on PostgreSQL it is ``unaccent`` +
``lower`` wrapped in an IMMUTABLE function by migration core 0002, so that an index
expression may use it. Visitors' words are folded by the same SQL function as the columns
(``Fold(Value(word))``), never by Python on one side and PostgreSQL on the other, whose
tables differ in corner cases.
"""

import unicodedata

from django.db.models import Func, TextField, Value
from django.db.models.lookups import Contains

FUNCTION = "specwise_unaccent"

# Letters Unicode does not decompose but PostgreSQL's unaccent rules fold, so that the
# two databases agree on the common ones ("Łódź" → "lodz", "Ærø" → "aero").
_UNDECOMPOSED = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ı": "i"}
)


def fold(text):
    """``text`` casefolded and without accents ("Portégé" → "portege"); None stays None."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_UNDECOMPOSED)


def fold_name(name):
    """How names are matched (the catalog importer's rule): ``fold``, and any run of
    whitespace as one space, so "portege" is "Portégé" and "Battery  life" is "battery life"."""
    return " ".join(fold(name).split())


class Fold(Func):
    """``specwise_unaccent(expression)``: the text folded by the database.

    Other databases than SQLite and PostgreSQL have no such function; there it is LOWER,
    so search at least ignores case.
    """

    function = FUNCTION
    arity = 1
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor not in {"sqlite", "postgresql"}:
            extra_context["function"] = "LOWER"
        return super().as_sql(compiler, connection, **extra_context)


def folded_contains(field, text):
    """A condition: ``field`` contains ``text``, ignoring case and accents.

    Django's ``contains`` escapes LIKE wildcards in the folded text too, so ``%`` and
    ``_`` in ``text`` match only themselves.
    """
    return Contains(Fold(field), Fold(Value(text)))


def register_sqlite_function(sender, connection, **kwargs):
    """On every new SQLite connection, define ``specwise_unaccent`` (SQLite keeps
    user functions per connection; PostgreSQL has it from the migration)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, fold, deterministic=True)


_popularity = None


def register_device_popularity(function):
    """Let device search rank popular devices first among equal matches: ``function()``
    returns {device slug: score}. The comparisons app registers its view counts in
    ``AppConfig.ready()``; read once per content version, when the search index is built."""
    global _popularity
    _popularity = function


def device_popularity():
    """{device slug: score} from the registered function; empty when none is."""
    return _popularity() if _popularity else {}
