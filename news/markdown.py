"""Markdown to safe HTML for article bodies.

Two layers: markdown-it escapes any raw HTML in the source (``html=False``), then nh3
keeps only the tags, attributes and URL schemes an article needs, so even a bug in
the Markdown layer cannot let a script, an event handler or a ``javascript:`` URL
through.
"""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
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
# No style (the CSP forbids inline styles anyway), no class, no event handlers.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def sanitise(html):
    """Keep only the allow-listed tags, attributes and URL schemes of ``html``."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text):
    """Render Markdown ``text`` to sanitised HTML (raw HTML in the source shows as text)."""
    # NUL is not valid in HTML and PostgreSQL text refuses it.
    text = (text or "").replace("\x00", "\ufffd")
    # An h1 in the body would compete with the page title: demote headings one level.
    html = _md.render(text)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitise(html)
