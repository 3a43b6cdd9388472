"""The demo catalog (catalog/demo_catalog.json), loaded through the importer."""

import json
from pathlib import Path

from .io import import_catalog
from .models import Ranking

DEMO_CATALOG = Path(__file__).with_name("demo_catalog.json")


def demo_data():
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))


# Rankings editors would publish: (slug, title, intro, finder query).
DEMO_RANKINGS = [
    (
        "lightest-phones",
        "Lightest phones",
        "The phones that weigh least, lightest first.",
        "category=phones&sort=best-weight",
    ),
    (
        "fastest-chipsets",
        "Fastest chipsets",
        "Chipsets by their highest CPU clock, fastest first.",
        "category=chipsets&sort=best-max-cpu-clock",
    ),
]


def load_catalog():
    """Import the demo catalog and its rankings; matched by name and slug, so running it
    again changes nothing."""
    result = import_catalog(demo_data(), source=DEMO_CATALOG.name)
    for order, (slug, title, intro, query) in enumerate(DEMO_RANKINGS):
        Ranking.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "intro": intro,
                "query": query,
                "published": True,
                "order": order,
            },
        )
    return result
