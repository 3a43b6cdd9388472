"""Read and write the catalog's JSON format.

Whatever a file holds, each misfit becomes one line naming the entry and the key, never a
traceback; nothing is written before the whole file has passed. ``import_catalog(...,
dry_run=True)`` stops after planning and reports the same summary.

Where things live:

- ``format``: the format as strict pydantic models, its limits and value checks,
  ``parse_json`` and ``CatalogError``;
- ``messages``: pydantic's errors turned into one line per problem;
- ``matching``: rows found by folded name or slug, unique slugs for new rows;
- ``plan``: the planner, which checks the file against the database and works out every
  change, and ``ImportResult``, its summary;
- ``write``: ``import_catalog``, which plans, then writes what changed in one transaction;
- ``export``: ``export_catalog``, ``export_photos`` and ``dumps``.
"""

from .export import dumps, export_catalog, export_photos
from .format import CatalogError, parse_json
from .plan import ImportResult
from .write import import_catalog

__all__ = [
    "CatalogError",
    "ImportResult",
    "dumps",
    "export_catalog",
    "export_photos",
    "import_catalog",
    "parse_json",
]
