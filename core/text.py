"""Text shaped for one short line: meta tags, OpenGraph, JSON-LD, values quoted in messages.

Summaries are written for the page, with line breaks and as long as the editor likes;
search engines and link previews show one short line, so every description sent there goes
through ``meta_text`` (the ``meta_text`` template filter and the JSON-LD views alike). A
visitor's or a file's value quoted in a notice or an error goes through ``shown``.
"""

import re

# Search engines show about this much of a description; link previews about as much.
META_LENGTH = 160
ELLIPSIS = "…"
# A value quoted in a notice: enough to recognise it, never a wall of text.
SHOWN_LENGTH = 40

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


def shown(text, limit=SHOWN_LENGTH):
    """Someone's ``text`` quoted in a message: without NUL and at most ``limit`` characters,
    "…" marking the cut, however long it was."""
    text = str(text).replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
