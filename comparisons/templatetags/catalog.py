"""Small display helpers for catalog templates: device initials, spec values."""

from django import template

from comparisons.compare import spec_text

register = template.Library()


@register.filter
def initials(name):
    """Up to two initials for a placeholder tile: "Nothing Phone (2)" gives "NP"."""
    words = [w for w in str(name).split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.filter
def spec_display(spec):
    """A spec value as cards and tables show it: numbers in the field's unit ("1,370 g")."""
    return spec_text(spec)
