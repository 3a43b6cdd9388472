"""The demo catalog (catalog/demo_catalog.json), loaded through the importer."""

import json
from pathlib import Path

from .io import import_catalog

DEMO_CATALOG = Path(__file__).with_name("demo_catalog.json")


def demo_data():
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))


def load_catalog():
    """Import the demo catalog; matched by name and slug, so running it again changes nothing."""
    return import_catalog(demo_data(), source=DEMO_CATALOG.name)
