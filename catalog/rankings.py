"""Rankings editors publish: the finder's devices for a saved query."""

from django.http import QueryDict

from .filters import PER_PAGE, CatalogFilters

# How many devices a ranking lists: the finder's first page.
RANKING_LENGTH = PER_PAGE


def ranking_filters(query):
    """The catalog's filters for a ranking's query string (never raises)."""
    return CatalogFilters.from_query(QueryDict(query or ""))


def query_notices(query):
    """What the catalog's parser ignored in ``query``: a ranking's query must have none."""
    return ranking_filters(query).notices


def ranked_devices(ranking):
    """The devices ``ranking`` lists, best first, with their brand and category."""
    filters = ranking_filters(ranking.query)
    return filters.named(filters.devices()[:RANKING_LENGTH])
