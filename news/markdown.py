"""Markdown to safe HTML for article bodies.

Two layers: markdown-it escapes any raw HTML in the source (``html=False``), then nh3
keeps only the tags, attributes and URL schemes an article needs, so even a bug in
the Markdown layer cannot let a script, an event handler or a ``javascript:`` URL
through.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
# No style (the CSP forbids inline styles anyway), no event handlers, and no class but the
# one render_markdown gives a table's box.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "div": {"tabindex"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"scope"},
}
ALLOWED_CLASSES = {"div": {"table-scroll"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
# The box a table scrolls in; focusable, so a keyboard can scroll it too.
TABLE_OPEN = '<div class="table-scroll" tabindex="0"><table>'
TABLE_CLOSE = "</table></div>"


def sanitise(html, attribute_filter=None):
    """Keep only the allow-listed tags, attributes and URL schemes of ``html``;
    ``attribute_filter(tag, attribute, value)`` may drop more (None) or keep (the value)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=attribute_filter,
    )


def render_markdown(text):
    """Render Markdown ``text`` to sanitised HTML (raw HTML in the source shows as text)."""
    # NUL is not valid in HTML and PostgreSQL text refuses it.
    text = (text or "").replace("\x00", "\ufffd")
    # An h1 in the body would compete with the page title: demote headings one level.
    html = _md.render(text)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    # A table wider than a phone scrolls in a box of its own, its words whole, rather than
    # widening the page. Only Markdown makes tags here (raw HTML in the source is text).
    html = html.replace("<table>", TABLE_OPEN).replace("</table>", TABLE_CLOSE)
    return sanitise(html)


class _ImageSources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def _served_here(src):
    """True for an image the Content-Security-Policy lets a page show: this site's own
    (a path), or the media storage's (MEDIA_URL, MEDIA_ORIGIN)."""
    parts = urlsplit(src)
    if not parts.scheme and not parts.netloc:
        return True
    allowed = [settings.MEDIA_URL, f"{settings.MEDIA_ORIGIN}/" if settings.MEDIA_ORIGIN else ""]
    return any(prefix and "://" in prefix and src.startswith(prefix) for prefix in allowed)


def remote_images(html):
    """The sources of the images in ``html`` (a rendered body) that come from another site:
    the Content-Security-Policy blocks them, so readers would see a broken image. The
    admin preview lists them before the story is published."""
    parser = _ImageSources()
    parser.feed(html or "")
    return [src for src in parser.sources if not _served_here(src)]


def _drop_remote_source(tag, attribute, value):
    if tag == "img" and attribute == "src" and not _served_here(value):
        return None
    return value


def without_remote_images(html):
    """``html`` (a rendered body) with the source of each image from another site taken out:
    the admin's preview shows it broken, as readers will see it, without asking the other
    site for it (the Content-Security-Policy would refuse, and log an error)."""
    return sanitise(html, attribute_filter=_drop_remote_source)
