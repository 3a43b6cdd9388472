"""Spec values as pages show them: one rule each for loading them, carrying a chip's values
and writing a value for people. The device page, comparison tables and cards all use these."""

from django.db.models import Prefetch

from .models import SpecField, SpecValue
from .units import SpecValueError, format_number, parse_yes_no


def spec_prefetch(to_attr="compare_specs"):
    return Prefetch(
        "specs",
        queryset=SpecValue.objects.with_fields(),
        to_attr=to_attr,
    )


def with_chip_values(own, chip, chip_specs):
    """A device's values, plus its chip's values for the fields it has none of.

    [(spec value, None for the device's own or the chip it comes from)]: the one rule for
    carried values ("4 nm · Snapdragon 8+ Gen 1"), on the device page and in tables.
    """
    entries = [(spec, None) for spec in own]
    if chip is not None:
        have = {spec.field_id for spec in own}
        entries += [(spec, chip) for spec in chip_specs if spec.field_id not in have]
    return entries


def spec_text(spec):
    """What a table or a card shows for ``spec``: a number field its stored number in the
    field's unit ("1,370 g", whatever the source text says), so the figure beside a best mark
    is the one that won; yes-no fields Yes or No; anything else its text."""
    spec_field = spec.field
    if spec_field.kind == SpecField.Kind.NUMBER and spec.number is not None:
        return format_number(spec.number, spec_field.unit)
    if spec_field.kind == SpecField.Kind.BOOLEAN:
        try:
            return "Yes" if parse_yes_no(spec.value) else "No"
        except SpecValueError:
            return spec.value  # "Yes, SA/NSA": the editor's words say more
    return spec.value
