"""Small display helpers for catalog templates: device initials, spec values."""

from django import template

from comparisons.models import SpecField

register = template.Library()

_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off", "none", "-", "—"}


@register.filter
def initials(name):
    """Up to two initials for a placeholder tile: "Nothing Phone (2)" gives "NP"."""
    words = [w for w in str(name).split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.filter
def spec_display(spec):
    """A spec value as shown: yes-no fields read "Yes" / "No", others their display text."""
    if spec.field.kind != SpecField.Kind.BOOLEAN:
        return spec.value
    text = spec.value.strip().lower()
    if text in _YES or (not text and spec.number):
        return "Yes"
    if text in _NO or (not text and not spec.number):
        return "No"
    # "Yes, SA/NSA" and the like: the editor's words are more precise than a bare Yes.
    return spec.value
