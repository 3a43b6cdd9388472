"""One parser per spec kind, used by the importer, the admin and the templates alike.

Numbers are stored in their field's unit, whatever the text says: "1.34 kg" under Weight (g)
is 1340, so a row compares like with like across categories. A unit is converted only within
its family (mass, length, data, …); a unit we do not know is an error that names it.
"""

import math
import re

# Any finite number this large or smaller is accepted (real catalogs hold 1.9e-05 GB).
MAX_MAGNITUDE = 1e9

YES_WORDS = {"yes", "y", "true", "1"}
NO_WORDS = {"no", "n", "false", "0"}


class SpecValueError(ValueError):
    """A value that cannot be stored; the message says why in plain words."""


# unit (lower case) -> (family, factor to the family's base unit)
_UNITS = {}


# family -> the usual spelling of each of its units, for messages ("use g, kg, lb or oz")
_USUAL = {}


def _family(name, units):
    for factor, spellings in units:
        _USUAL.setdefault(name, []).append(spellings[0])
        for spelling in spellings:
            _UNITS[spelling.lower()] = (name, factor)


_family("mass", [(1, ["g", "gram", "grams"]), (1000, ["kg", "kgs", "kilogram", "kilograms"]),
                 (0.001, ["mg"]), (1e6, ["t", "tonne", "tonnes"]),
                 (453.59237, ["lb", "lbs", "pound", "pounds"]),
                 (28.349523125, ["oz", "ounce", "ounces"]),
                 (6350.29318, ["st", "stone", "stones"])])  # fmt: skip
_family("length", [(1, ["mm", "millimetre", "millimetres", "millimeter", "millimeters"]),
                   (10, ["cm", "centimetre", "centimetres", "centimeter", "centimeters"]),
                   (1000, ["m", "metre", "metres", "meter", "meters"]),
                   (25.4, ["in", "inch", "inches", '"', "″"])])  # fmt: skip
_family("frequency", [(1, ["Hz"]), (1e3, ["kHz"]), (1e6, ["MHz"]), (1e9, ["GHz"])])
_family("data", [(1e-9, ["B", "byte", "bytes"]), (1e-6, ["KB"]), (1e-3, ["MB"]), (1, ["GB"]),
                 (1e3, ["TB"]), (1e6, ["PB"])])  # fmt: skip
_family("charge", [(1, ["mAh"]), (1000, ["Ah"])])
_family("energy", [(1, ["Wh"]), (0.001, ["mWh"]), (1000, ["kWh"])])
_family("power", [(1, ["W", "watt", "watts"]), (0.001, ["mW"]), (1000, ["kW"])])
_family("time", [(1, ["s", "sec"]), (0.001, ["ms"]), (60, ["min"]), (3600, ["h", "hr", "hours"])])
_family("resolution", [(1, ["MP", "megapixel", "megapixels"])])
_family("brightness", [(1, ["nits", "nit", "cd/m2", "cd/m²"])])
_family("process", [(1, ["nm"])])
_family("ratio", [(1, ["%"])])
_family("money", [(1, ["usd", "$"])])
# AI accelerators ("45 TOPS"): trillions of operations per second.
_family("compute", [(1, ["TOPS"]), (0.001, ["GOPS"])])

# A number: digits with "," or "." groups; then, maybe after a space, what could be its unit.
_NUMBER = re.compile(
    r"(?<![\w.])(?P<number>[-+]?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?)"
    r"(?:(?P<space>\s?)(?P<unit>[A-Za-zµ²/$%″\"]+))?"
)
# Between figures, not after one: "162.1 x 76.4 x 8.6 mm".
_SEPARATORS = {"x", "×", "by"}
# Longer words after a number are words ("8 cores", "5000 battery"), not units.
_UNIT_LIKE = 4


def unit_family(unit):
    """The family of ``unit`` ("kg" -> "mass"), or None if we do not know it."""
    known = _UNITS.get((unit or "").strip().lower())
    return known[0] if known else None


def convert(number, from_unit, to_unit):
    """``number`` in ``from_unit`` expressed in ``to_unit`` (same family), else SpecValueError."""
    source, target = _UNITS.get(from_unit.strip().lower()), _UNITS.get(to_unit.strip().lower())
    if source is None or target is None or source[0] != target[0]:
        raise SpecValueError(f"cannot convert {from_unit or 'a plain number'} to {to_unit}")
    if source[1] == target[1]:
        return number
    # Twelve significant digits: 1.37 kg is 1370 g, not 1370.0000000000002.
    return float(f"{number * source[1] / target[1]:.12g}")


def check_number(number, name="the number"):
    """``number`` as a float if finite and |n| ≤ MAX_MAGNITUDE, else SpecValueError."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise SpecValueError(f"{name} must be a number")
    try:
        number = float(number)
    except OverflowError:
        # A JSON integer of hundreds of digits is a valid int but no float.
        raise SpecValueError(f"{name} is too large (at most {MAX_MAGNITUDE:g})") from None
    if not math.isfinite(number):
        raise SpecValueError(f"{name} must be a finite number, not {number}")
    if abs(number) > MAX_MAGNITUDE:
        raise SpecValueError(f"{name} {number:g} is too large (at most {MAX_MAGNITUDE:g})")
    return number


def read_decimal(text):
    """A number as written by people: "1,370" is 1370 (a comma before exactly three digits
    separates thousands), "1,5" is 1.5, "1,370.5" is 1370.5."""
    if "," in text and "." in text:
        return float(text.replace(",", ""))
    if "," in text:
        head, *groups = text.split(",")
        if groups and all(len(group) == 3 for group in groups) and head.lstrip("+-"):
            return float(text.replace(",", ""))
        return float(text.replace(",", "."))
    return float(text)


def parse_number(text, unit=""):
    """The largest number in ``text`` in the field's ``unit``; None if the text has none.

    "8 GB / 12 GB" gives 12; "1.34 kg" under g gives 1340; a unit of another family is
    skipped ("4700 mAh (18 Wh)" under mAh gives 4700); a unit we do not know raises.
    """
    field_family = unit_family(unit)
    found = []
    for match in _NUMBER.finditer(text or ""):
        try:
            number = read_decimal(match["number"])
        except ValueError:
            continue
        written = match["unit"] or ""
        if written.lower() in _SEPARATORS:
            written = ""
        family = unit_family(written)
        if not written or (family is None and len(written) > _UNIT_LIKE and match["space"]):
            found.append(number)
        elif written.lower() == unit.strip().lower():
            # The field's own unit, even one we have no family for ("12 fps" under fps).
            found.append(number)
        elif family is None:
            allowed = _spellings(field_family)
            hint = f": use {allowed}" if allowed else ""
            raise SpecValueError(f"unknown unit “{written}” in “{text}”{hint}")
        elif unit and family == field_family:
            found.append(convert(number, written, unit))
        elif not unit:
            raise SpecValueError(f"“{text}” has a unit ({written}), but this field has none")
    if not found:
        return None
    return check_number(max(found))


def _spellings(family):
    """The usual units of ``family`` for a message: "g, kg, mg, t, lb, oz or st"."""
    usual = _USUAL.get(family, [])
    return ", ".join(usual[:-1]) + f" or {usual[-1]}" if len(usual) > 1 else "".join(usual)


def parse_yes_no(value):
    """True or False for the yes-no words ("Yes", "no", "true", "0") and JSON booleans."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise SpecValueError(f"“{value}” is not yes or no: write Yes or No")


def clean_value(spec_field, text, number=None):
    """(text, number) to store for ``spec_field`` (a SpecField) from what an editor or a
    file gave; raises SpecValueError. An explicit ``number`` wins over the text."""
    kind = spec_field.kind
    if kind == "yes-no":
        return ("Yes" if parse_yes_no(text) else "No"), None
    text = str(text).strip()
    if kind != "number":
        return text, None
    if number is not None:
        return text, check_number(number, f"the number of {spec_field.name}")
    parsed = parse_number(text, spec_field.unit)
    if parsed is None:
        raise SpecValueError(f"{spec_field.name} is a number: “{text}” holds none")
    return text, parsed


def format_number(number, unit=""):
    """A stored number for people, in the field's unit: 1370 g -> "1,370 g", 6.7 in -> "6.7 in"."""
    if number is None:
        return ""
    if number != 0 and abs(number) < 0.01:
        shown = f"{number:.2g}"
    elif float(number).is_integer():
        shown = f"{int(number):,}"
    else:
        shown = f"{number:,.2f}".rstrip("0").rstrip(".")
    return f"{shown} {unit}".strip() if unit not in ("%", "″") else f"{shown}{unit}"


# A device's size: "162.1 x 76.4 x 8.6 mm". Figures outside this range (in mm) are no
# device's size, or a misreading.
DIMENSION_RANGE = (1.0, 3000.0)
# "162.1x76.4x8.6mm" has no spaces for the number pattern to find its figures by.
_TIMES = re.compile(r"(?<=\d)\s*[x×X*]\s*(?=\d)")


def parse_dimensions(text):
    """The first three lengths of ``text`` in millimetres, in the order written, or None.

    "162.1 x 76.4 x 8.6 mm", "162.1 × 76.4 × 8.6 mm (6.38 × 3.01 × 0.34 in)",
    "324.3mm x 225.1mm x 12.9mm" and "6.38 x 3.01 x 0.34 in" all give three figures; a
    figure without a unit takes the next unit among the three ("mm" if none is written).
    Anything else gives None rather than an error: it only decides whether an outline can
    be drawn, and a page must show whatever text an editor typed.
    """
    figures = []
    for match in _NUMBER.finditer(_TIMES.sub(" × ", text or "")):
        try:
            number = read_decimal(match["number"])
        except ValueError:
            return None
        unit = match["unit"] or ""
        if unit.lower() in _SEPARATORS:
            unit = ""
        if unit and unit_family(unit) != "length":
            return None
        figures.append((number, unit))
        if len(figures) == 3:
            break
    if len(figures) < 3:
        return None
    sizes = []
    for index, (number, unit) in enumerate(figures):
        unit = unit or next((u for _, u in figures[index:] if u), "mm")
        size = convert(number, unit, "mm")
        if not DIMENSION_RANGE[0] <= size <= DIMENSION_RANGE[1]:
            return None
        sizes.append(size)
    return tuple(sizes)
