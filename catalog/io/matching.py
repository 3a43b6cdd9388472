"""Finding the rows a file names: by name or slug, ignoring case, accents and repeated spaces
(``core.search.fold_name``); a unique slug for a new row; stored rows looked up a chunk of
keys at a time.
"""

from django.utils.text import slugify

from core.search import fold_name

from .format import _max_length

# Rows per IN (...) list: far below SQLite's 32,766 variables and PostgreSQL's 65,535.
CHUNK = 5000


class _Names:
    """Rows of one model found by name or slug, ignoring case and accents. The first
    spelling wins: a stored row's, else the first one the file uses."""

    def __init__(self, rows, by_slug=True):
        self.rows, self.exact, self.folded, self.slugs = [], {}, {}, {}
        self.by_slug = by_slug
        for row in rows:
            self.add(row)

    def add(self, row):
        self.rows.append(row)
        self.exact.setdefault(row.name, row)
        self.folded.setdefault(fold_name(row.name), row)
        if self.by_slug and row.slug:
            self.slugs.setdefault(row.slug, row)
        return row

    def get(self, name):
        found = self.exact.get(name)
        if found is None:
            key = fold_name(name)
            found = self.folded.get(key) or self.slugs.get(key)
        return found


def _unique_slug(name, taken, model, fallback):
    limit = _max_length(model, "slug")
    base = (slugify(name) or fallback)[:limit]
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug, n = base[: limit - len(suffix)] + suffix, n + 1
    taken.add(slug)
    return slug


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
