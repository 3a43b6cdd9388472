"""A file's problems in our words: each pydantic error becomes one line naming the entry and
the key, never a traceback; whatever the file holds is shown short and on one line.
"""

import json

from pydantic import ValidationError

from core.text import shown

from ..models import Category, Device, SpecField
from .format import MAX_PRICE, ORDER_MAX, ORDER_MIN, UNSTORABLE

# What each key must hold, for messages: "'powered_by' must be a device slug, not 12".
EXPECTED = {
    "slug": "a slug (lower-case letters, digits and hyphens)",
    "powered_by": "a device slug",
    "name": "a name (text)",
    "brand": "a brand name",
    "category": "a category name",
    "group": "a group name",
    "unit": "a unit (text)",
    "kind": "one of " + ", ".join(SpecField.Kind.values),
    "direction": "one of " + ", ".join(SpecField.Direction.values),
    "categories": "a list of category names",
    "groups": "a list of group names",
    "brands": "a list of brand objects",
    "fields": "a list of field objects",
    "devices": "a list of device objects",
    "order": f"a whole number from {ORDER_MIN} to {ORDER_MAX}",
    "filterable": "true or false",
    "key": "true or false",
    "role": '"" (none) or ' + ", ".join(role for role in SpecField.Role.values if role),
    "plausible": 'an object of category kind to [low, high], e.g. {"phone": [50, 1000]}',
    "released": "a date: YYYY, YYYY-MM or YYYY-MM-DD",
    "status": "one of " + ", ".join(Device.Status.values) + " (or null: unknown)",
    "launch_price": f"a price in USD from 0 to {MAX_PRICE}",
    "summary": "text",
    "description": "text",
    "specs": "an object of field name to value",
    "value": "text, a number or true/false",
    "number": "a number",
    "source": "text (a URL or a short note)",
    "changed_at": "a date and time (ISO 8601, e.g. 2024-05-01T10:00:00Z)",
    "images": "a list of image paths (relative to the catalog file)",
    "path": "a path relative to the catalog file",
    "alt": "text (what the photo shows)",
}
ITEM_EXPECTED = {
    "categories": "a category name",
    "groups": "a group name",
    "images": 'a path or an object with "path"',
    "specs": 'text, a number, true/false or an object with "value"',
}
# What a key of an object in the file's "categories" must hold.
CATEGORY_EXPECTED = {"kind": "one of " + ", ".join(Category.Kind.values)}


def _escaped(text, limit=60):
    """``text`` on one printable line: controls and lone surrogates escaped, cut to ``limit``."""
    text = json.dumps(str(text), ensure_ascii=False)[1:-1]
    return shown(UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text), limit)


def _described(value):
    """A short picture of what the file holds, whatever its size or depth."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f'"{_escaped(value)}"'
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a number of more than 60 digits"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return _escaped(repr(value))


def _plain(value):
    """A field attribute as a summary line shows it: true/false, numbers and words bare."""
    return json.dumps(value) if isinstance(value, bool) else _escaped(value)


def _quoted(name):
    """A key or a name from the file, quoted and escaped so that any text prints on one line."""
    return f"'{_escaped(name)}'"


def _subject(loc):
    """("specs", "Weight", "number") -> "'number' of 'Weight'"; ("categories", 0) ->
    "'categories' item 0"."""
    if len(loc) >= 2 and loc[0] == "specs":
        rest = _subject(loc[2:])
        return f"{rest} of {_quoted(loc[1])}" if rest else f"the value of {_quoted(loc[1])}"
    parts = [f"item {part}" if isinstance(part, int) else _quoted(part) for part in loc]
    return " ".join(parts)


def _expected(loc):
    if len(loc) == 3 and loc[0] == "categories" and loc[2] in CATEGORY_EXPECTED:
        return CATEGORY_EXPECTED[loc[2]]
    keys = [part for part in loc if isinstance(part, str)]
    if loc and isinstance(loc[-1], int) and keys:
        return ITEM_EXPECTED.get(keys[-1], "an object")
    if len(loc) == 2 and loc[0] == "specs":
        return ITEM_EXPECTED["specs"]
    return EXPECTED.get(keys[-1], "something else") if keys else "an object"


def _message(error):
    """One pydantic error in our words, without the entry's name."""
    loc, kind = error["loc"], error["type"]
    if loc[:1] == ("categories",) and loc[2:] == ("name",) and kind != "missing":
        # A category is mostly listed as its name alone: speak of the item, as then.
        loc = loc[:2]
    if kind == "extra_forbidden":
        where = f" in {_subject(loc[:-1])}" if loc[:-1] else ""
        return f"unknown key {_quoted(loc[-1])}{where}"
    subject = _subject(loc)
    if kind == "missing":
        return f"{subject} is missing"
    if kind == "string_too_long":
        return f"{subject} is longer than {error['ctx']['max_length']} characters"
    if kind == "string_too_short":
        return f"{subject} is empty"
    if kind == "message":
        return f"{subject} {error['msg']}"
    return f"{subject} must be {_expected(loc)}, not {_described(error['input'])}".lstrip()


def _validate(model, raw, where):
    """(model instance, []) or (None, [messages]) for one entry of the file."""
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        messages = []
        for error in exc.errors(include_url=False):
            message = _message(error)
            messages.append(f"{where}: {message}" if where else message)
        return None, messages
    except RecursionError:
        return None, [f"{where}: nested too deeply"]


def _label(raw, key):
    value = raw.get(key) if isinstance(raw, dict) else None
    return f" ({_escaped(value.strip())})" if isinstance(value, str) and value.strip() else ""


def _where(kind, index, raw, key):
    return f"{kind} {index}{_label(raw, key)}"
