import html
import json

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeData, mark_safe

from core.text import META_LENGTH
from core.text import meta_text as shorten

register = template.Library()

# "<", ">" and "&" escaped so a value can never close the script element.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """Render ``data`` (a dict) as a schema.org JSON-LD block."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_ESCAPES)
    return format_html(
        '<script type="application/ld+json" nonce="{}">{}</script>',
        context.get("csp_nonce", ""),
        mark_safe(payload),
    )


@register.filter
def meta_text(value, limit=META_LENGTH):
    """``value`` as one short line for a meta tag (see core.text.meta_text).

    Already-escaped text (a rendered ``{% block description %}``) is measured and cut as the
    reader sees it, then escaped again, so "&amp;" counts as one character and is never cut.
    """
    if isinstance(value, SafeData):
        return escape(shorten(html.unescape(str(value)), int(limit)))
    return shorten(value, int(limit))
