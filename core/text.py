"""Text shaped for places that are not pages: meta tags, OpenGraph, JSON-LD.

Summaries are written for the page, with line breaks and as long as the editor likes;
search engines and link previews show one short line, so every description sent there goes
through ``meta_text`` (the ``meta_text`` template filter and the JSON-LD views alike).
"""

import re

# Search engines show about this much of a description; link previews about as much.
META_LENGTH = 160
ELLIPSIS = "…"

_WHITESPACE = re.compile(r"\s+")


def meta_text(text, limit=META_LENGTH):
    """``text`` on one line (any run of whitespace becomes one space), at most ``limit``
    characters, cut at a word boundary with "…" when it was longer."""
    text = _WHITESPACE.sub(" ", str(text or "")).strip()
    if len(text) <= limit:
        return text
    # Up to the last space that leaves room for the ellipsis; one huge word is cut anywhere.
    space = text.rfind(" ", 0, limit)
    cut = text[:space] if space >= limit // 2 else text[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS
