"""Rankings editors publish: the finder's devices for a saved query."""

from django.http import QueryDict

from core.content import content_version, get_or_compute

from .filters import PER_PAGE, CatalogFilters
from .models import Ranking

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


def published_rankings():
    """The published rankings (title and slug), in the editors' order, for the catalog's
    list of them; one query per content version."""
    return get_or_compute(
        f"catalog-rankings:{content_version()}",
        lambda: list(Ranking.objects.published().only("title", "slug").order_by("order", "pk")),
        timeout=3600,
    )
