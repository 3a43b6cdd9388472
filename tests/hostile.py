"""Hostile text in every editable name and value, for pages whose rows are written in Python
(comparison cells and rows, spec-sheet rows) as well as by templates."""

from django.utils.html import escape

from catalog.models import SpecField
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecValueFactory,
)

SCRIPT = "<script>alert(1)</script>"
# Closes an attribute, then opens a tag.
BREAKOUT = '"><img src=x onerror=1>'
# SpecField.unit holds 20 characters.
UNIT = "<script>g</script>"
RAW = (SCRIPT, BREAKOUT, UNIT, "<img src=x", '"><img')


def make_hostile_catalog():
    """Two phones and their chip, every name and value hostile: a key text field, a key
    number field with a hostile unit, a field only the chip has (carried into the phones'
    rows with the chip's name), a source note, a source URL and a size to draw."""
    phones = CategoryFactory(name="Phones", kind="phone")
    chips = CategoryFactory(name="Chipsets", kind="chip")
    brand = BrandFactory(name=f"Brand {SCRIPT}", slug="hostile-brand")
    colour = SpecFieldFactory(
        name=f"Colour {SCRIPT}", slug="colour", key=True, categories=[phones, chips]
    )
    weight = SpecFieldFactory(
        name=f"Weight {BREAKOUT}",
        slug="weight",
        unit=UNIT,
        kind=SpecField.Kind.NUMBER,
        direction=SpecField.Direction.LOWER,
        key=True,
        categories=[phones, chips],
    )
    node = SpecFieldFactory(name=f"Node {BREAKOUT}", slug="node", categories=[phones, chips])
    # Read for the outline drawn to scale, whose label carries the device's name.
    dimensions = SpecFieldFactory(
        name="Dimensions", slug="dimensions", role="dimensions", categories=[phones]
    )
    chip = DeviceFactory(name=f"Chip {SCRIPT}", slug="hostile-chip", brand=brand, category=chips)
    first = DeviceFactory(
        name=f"Phone {SCRIPT}", slug="hostile-a", brand=brand, category=phones, powered_by=chip
    )
    second = DeviceFactory(
        name=f"Phone {BREAKOUT}", slug="hostile-b", brand=brand, category=phones, powered_by=chip
    )
    SpecValueFactory(device=chip, field=node, value=BREAKOUT)
    SpecValueFactory(device=first, field=colour, value=SCRIPT, source=f"note {SCRIPT}")
    SpecValueFactory(device=second, field=colour, value=BREAKOUT)
    SpecValueFactory(device=first, field=dimensions, value=f"162.1 x 76.4 x 8.6 mm {SCRIPT}")
    SpecValueFactory(
        device=first, field=weight, value=f"150 {BREAKOUT}", number=150, source="From the box"
    )
    SpecValueFactory(
        device=second,
        field=weight,
        value="170",
        number=170,
        source=f"https://evil.example/{BREAKOUT}",
    )
    return {
        "first": first,
        "second": second,
        "chip": chip,
        "brand": brand,
        "colour": colour,
        "weight": weight,
        "node": node,
        "dimensions": dimensions,
    }


def assert_inert(html, *shown):
    """No hostile text reached ``html`` as markup, and each of ``shown`` is there escaped."""
    for raw in RAW:
        assert raw not in html
    for text in shown:
        assert escape(text) in html, text
