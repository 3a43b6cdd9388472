"""Share cards: the 1200 × 630 PNG a link shows when it is posted (og:image).

A card is drawn on the first request for it and stored (default storage, under
``cards/``), named by what it shows and a stamp of its content (for devices, a digest of
everything drawn: ``panels_stamp``; for an article, its ``updated_at``): an edit elsewhere
in the catalog leaves it alone, a change of what it shows makes the next request draw it
again, and the old one goes. A request that finds its card stored does no image work.

Any ``a-vs-b`` URL can ask for a card, so drawing is bounded: at most
``SHARE_CARD_RENDERS_PER_MINUTE`` new cards a minute (per cache, so per site with Redis),
past which the generic card, with a short max-age so the real one comes later. The store is
bounded too, without ever locking new cards out: a ShareCard row per stored card records
when it was last served, and past ``SHARE_CARDS_MAX`` comparison cards the least recently
served go. The rows also name what each card shows, so ``prune_share_cards`` removes the
cards of deleted devices, and files no row names (kept from before the index).

Text is fitted in time linear in the text: only prefixes about as long as what fits are
measured, so a 2,000-character value costs about what a short one does.

What a card shows comes in as plain data (``Panel``) from the app that knows it; this
module only draws and stores. Text is set in DejaVu Sans where the system has it (Debian:
fonts-dejavu-core), else in Pillow's own scalable font, with letters it lacks spelled out
in ASCII ("×" as "x", "é" as "e") rather than drawn as boxes.
"""

import functools
import hashlib
import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from PIL import Image, ImageDraw, ImageFont

from . import images
from .models import ShareCard

logger = logging.getLogger(__name__)

SIZE = (1200, 630)
# Bump to draw every card again after a change of design.
DESIGN = 1
MAX_AGE = 24 * 3600
GENERIC_MAX_AGE = 300

INK = (23, 32, 42)
INK_SOFT = (74, 85, 97)
PAPER = (255, 255, 255)
PAPER_SOFT = (244, 246, 248)
LINE = (217, 222, 228)
BRAND = (11, 92, 173)
SCREEN = (227, 236, 246)


@dataclass
class Panel:
    """One device on a card: its name, a line under it, a picture and up to three rows."""

    name: str
    subtitle: str = ""
    photo: str = ""  # storage name of an image to show, or ""
    # From comparisons.outlines: kind, width, height (mm), glyph, shapes.
    outline: object = None
    rows: list = field(default_factory=list)  # [(label, value)]


# Storing and bounding.

# Serving a card moves its last-used time at most this often (seconds): eviction is by the
# hour, and a card served a thousand times an hour costs one write.
TOUCH_EVERY = 3600


def _name(kind, key, stamp):
    key_hash = hashlib.sha256(key.encode()).hexdigest()[:16]
    version = hashlib.sha256(f"{DESIGN}:{stamp}".encode()).hexdigest()[:16]
    return f"cards/{kind}/{key_hash}-{version}.png", key_hash


def _listing(folder):
    try:
        return default_storage.listdir(folder)[1]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _may_draw():
    """A new card may be drawn: under the rate."""
    window = f"share-card-renders:{int(time.time() // 60)}"
    try:
        cache.add(window, 0, timeout=120)
        drawn = cache.incr(window)
    except Exception:  # no cache: no rate; the store stays bounded
        logger.warning("Share card rate unavailable", exc_info=True)
        drawn = 0
    return drawn <= settings.SHARE_CARD_RENDERS_PER_MINUTE


def _read(name):
    """The stored bytes of ``name``, or None (never stored, or evicted meanwhile)."""
    try:
        with default_storage.open(name, "rb") as file:
            return file.read()
    except OSError:
        return None


def _touch(name, kind, key, key_hash):
    """Record that ``name`` was served now, at most once per TOUCH_EVERY (the cache says when
    it last was; without a cache, not at all: eviction then goes by when cards were drawn).
    A stored card without a row (kept from before the index) gets one."""
    try:
        due = cache.add(f"share-card-used:{name}", 1, timeout=TOUCH_EVERY)
    except Exception:
        return
    if due:
        now = timezone.now()
        if not ShareCard.objects.filter(name=name).update(used_at=now):
            ShareCard.objects.bulk_create(
                [ShareCard(name=name, kind=kind, key=key, key_hash=key_hash, used_at=now)],
                ignore_conflicts=True,
            )


def remove(cards):
    """Delete ``cards`` (a ShareCard queryset): their files, then their rows."""
    rows = list(cards.values_list("pk", "name"))
    for _pk, name in rows:
        default_storage.delete(name)
    ShareCard.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
    return len(rows)


def _evict(kind):
    """Past SHARE_CARDS_MAX cards of ``kind``, remove the least recently served."""
    cards = ShareCard.objects.filter(kind=kind)
    over = cards.count() - settings.SHARE_CARDS_MAX
    if over > 0:
        oldest = cards.order_by("used_at", "pk").values_list("pk", flat=True)[:over]
        remove(ShareCard.objects.filter(pk__in=list(oldest)))


def _index(name, kind, key, key_hash, bounded):
    """Record a card just stored; remove older versions of it and, for a bounded kind, the
    least recently served cards past the bound."""
    ShareCard.objects.update_or_create(
        name=name,
        defaults={"kind": kind, "key": key, "key_hash": key_hash, "used_at": timezone.now()},
    )
    try:
        cache.set(f"share-card-used:{name}", 1, timeout=TOUCH_EVERY)
    except Exception:
        logger.warning("Share card use unrecorded", exc_info=True)
    remove(ShareCard.objects.filter(kind=kind, key_hash=key_hash).exclude(name=name))
    if bounded:
        _evict(kind)


def stored_card(kind, key, stamp, draw, capped=False):
    """(PNG bytes, is_generic) for the card of ``key`` as of ``stamp``: the stored one, else
    ``draw()`` stored (replacing older versions of it), else, past the rate, the generic
    card. ``capped``: keep at most SHARE_CARDS_MAX cards of ``kind``, evicting the least
    recently served (for kinds any URL can ask for)."""
    name, key_hash = _name(kind, key, stamp)
    content = _read(name) if default_storage.exists(name) else None
    if content is not None:
        _touch(name, kind, key, key_hash)
        return content, False
    if not _may_draw():
        return generic_card(), True
    content = draw()
    if images.store(name, content):
        _index(name, kind, key, key_hash, capped)
    return content, False


def unindexed(kind):
    """Stored cards of ``kind`` that no ShareCard row names (kept from before the index)."""
    names = {f"cards/{kind}/{file}" for file in _listing(f"cards/{kind}")}
    known = set(ShareCard.objects.filter(name__in=names).values_list("name", flat=True))
    return sorted(names - known)


def response(card):
    """The HTTP answer for ``stored_card``'s result: public, the generic card briefly."""
    content, generic = card
    answer = HttpResponse(content, content_type="image/png")
    patch_cache_control(answer, public=True, max_age=GENERIC_MAX_AGE if generic else MAX_AGE)
    return answer


@functools.cache
def generic_card():
    """Specwise's own card, for pages without one and past the bounds (drawn once)."""
    card, draw = _canvas()
    _text(draw, (80, 230), settings.SITE_NAME, _font(96, bold=True), BRAND)
    _text(
        draw,
        (80, 360),
        "Tech news, full spec sheets and side-by-side comparisons",
        _font(36),
        INK_SOFT,
    )
    return _png(card)


# Drawing.


@functools.cache
def _font(size, bold=False):
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _full_fonts():
    return _font(20).getname()[0].startswith("DejaVu")


# Spelled out where Pillow's own font has no glyph.
ASCII = str.maketrans({"×": "x", "–": "-", "—": "-", "″": '"', "′": "'", "·": "-", "…": "..."})


def _printable(text):
    text = " ".join(str(text).split())
    if _full_fonts():
        return text
    text = unicodedata.normalize("NFKD", text.translate(ASCII))
    return "".join(ch for ch in text if ord(ch) < 128)


def _longest(count, fits, start=64):
    """The largest n <= ``count`` with ``fits(n)``, for a ``fits`` true up to some n and false
    after (n = 0 taken to fit). Tries ``start`` (or ``count`` if smaller), doubles while it
    fits, then halves the gap: O(log n) calls, none with n past twice the answer or ``start``,
    so a text's length beyond what fits costs nothing."""
    low, high = 0, min(start, count)
    while fits(high):
        if high == count:
            return count
        low, high = high, min(high * 2, count)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def _shown(draw, text, font, width):
    """How many leading characters of ``text`` fit in ``width`` pixels."""
    return _longest(len(text), lambda n: draw.textlength(text[:n], font=font) <= width)


def _fit(draw, text, font, width):
    """``text`` cut with an ellipsis to ``width`` pixels."""
    text = _printable(text)
    shown = _shown(draw, text, font, width)
    if shown == len(text):
        return text
    ellipsis = "…" if _full_fonts() else "..."
    cut = _longest(shown, lambda n: draw.textlength(text[:n] + ellipsis, font=font) <= width)
    return text[:cut].rstrip() + ellipsis


def _wrap(draw, text, font, width, lines):
    """``text`` in at most ``lines`` lines of ``width`` pixels, the last cut if need be."""
    words, out, next_word = _printable(text).split(), [], 0
    while next_word < len(words) and len(out) < lines:
        line, next_word = words[next_word], next_word + 1
        while next_word < len(words):
            longer = f"{line} {words[next_word]}"
            if _shown(draw, longer, font, width) < len(longer):
                break
            line, next_word = longer, next_word + 1
        out.append(line)
    if next_word < len(words):
        out[-1] = _fit(draw, f"{out[-1]} {' '.join(words[next_word:])}", font, width)
    return [_fit(draw, line, font, width) for line in out]


def _text(draw, xy, text, font, fill):
    draw.text(xy, _printable(text), font=font, fill=fill)


def _canvas():
    card = Image.new("RGB", SIZE, PAPER_SOFT)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, SIZE[0], 72), fill=BRAND)
    draw.text((40, 16), settings.SITE_NAME, font=_font(34, bold=True), fill=PAPER)
    return card, draw


def _png(card):
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _paste_photo(card, name, box):
    """The stored image ``name`` fitted into ``box`` (left, top, right, bottom)."""
    try:
        with default_storage.open(name, "rb") as file, Image.open(file) as photo:
            photo = photo.convert("RGBA")
            size = (box[2] - box[0], box[3] - box[1])
            fitted = images.fitted(photo, size, ("RGBA", (255, 255, 255, 0)))
            card.paste(fitted, box[:2], fitted)
    except (OSError, ValueError):
        logger.warning("Share card: could not read %s", name)


_PATH_RECT = re.compile(r"M([\d.]+) ([\d.]+)h(-?[\d.]+)v(-?[\d.]+)h-?[\d.]+z")


def _draw_outline(draw, outline, origin, scale):
    """An Outline's shapes (mm) at ``scale`` px/mm from ``origin``."""
    x0, y0 = origin

    def px(value):
        return float(value) * scale

    colours = {"body": (PAPER, INK_SOFT), "screen": (SCREEN, None), "detail": (LINE, INK_SOFT)}
    if outline.glyph:
        colours["body"] = (PAPER, LINE)
    for shape in outline.shapes:
        attrs = dict(shape.attrs)
        fill, stroke = colours[shape.part]
        if shape.tag == "rect":
            left, top = x0 + px(attrs["x"]), y0 + px(attrs["y"])
            right, bottom = left + px(attrs["width"]), top + px(attrs["height"])
            draw.rounded_rectangle(
                (left, top, right, bottom),
                radius=px(attrs["rx"]),
                fill=fill,
                outline=stroke,
                width=3 if stroke else 0,
            )
        elif shape.tag == "circle":
            cx, cy, r = x0 + px(attrs["cx"]), y0 + px(attrs["cy"]), max(px(attrs["r"]), 2)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=stroke or fill)
        elif shape.tag == "path":
            for x, y, w, h in _PATH_RECT.findall(attrs["d"]):
                left, top = x0 + px(x), y0 + px(y)
                right, bottom = left + px(w), top + px(h)
                draw.rectangle(
                    (min(left, right), min(top, bottom), max(left, right), max(top, bottom)),
                    fill=INK_SOFT,
                )


def _pictures(card, draw, panels, boxes):
    """Photos fitted, outlines at one scale across the card (glyphs fitted, smaller)."""
    drawn = [p.outline for p in panels if p.outline is not None and not p.outline.glyph]
    scale = None
    if drawn:
        scale = min(
            min((b[2] - b[0]) * 0.9 for b in boxes) / max(o.width for o in drawn),
            min((b[3] - b[1]) * 0.92 for b in boxes) / max(o.height for o in drawn),
        )
    for panel, box in zip(panels, boxes, strict=True):
        width, height = box[2] - box[0], box[3] - box[1]
        if panel.photo:
            _paste_photo(card, panel.photo, box)
            continue
        outline = panel.outline
        if outline is None:
            continue
        own = scale
        if outline.glyph or own is None:
            own = min(width * 0.6 / outline.width, height * 0.6 / outline.height)
        left = box[0] + (width - outline.width * own) / 2
        top = box[1] + (height - outline.height * own) / 2
        _draw_outline(draw, outline, (left, top), own)


def panels_stamp(panels, title=""):
    """A digest of everything ``draw_panels(panels, title)`` puts on a card, to store the
    card under: a change of what it shows (a brand or a field renamed, a value, a photo)
    gives a new card, and nothing else does.

    Not the devices' ``updated_at``: renaming a brand or a field leaves it alone. Not the
    content version either: any edit anywhere moves it, and every card shared since would be
    drawn again, each against the per-minute limit. The panels come from the two queries
    the drawing needs anyway; this reads only them.
    """
    shown = [settings.SITE_NAME, title]
    for panel in panels:
        outline = panel.outline
        if outline is not None:
            outline = (outline.glyph, outline.width, outline.height, outline.shapes)
        shown.append((panel.name, panel.subtitle, panel.photo, outline, panel.rows[:3]))
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def draw_panels(panels, title=""):
    """A card of 1 to 4 devices side by side: picture, name, a line, three rows."""
    card, draw = _canvas()
    if title:
        font = _font(26)
        text = _fit(draw, title, font, 700)
        left = SIZE[0] - 40 - draw.textlength(text, font=font)
        draw.text((left, 22), text, font=font, fill=PAPER)
    count = max(1, len(panels))
    gutter, margin, top, bottom = 20, 30, 96, SIZE[1] - 24
    width = (SIZE[0] - 2 * margin - gutter * (count - 1)) // count
    boxes, texts = [], []
    for index in range(count):
        left = margin + index * (width + gutter)
        draw.rounded_rectangle(
            (left, top, left + width, bottom), radius=16, fill=PAPER, outline=LINE, width=2
        )
        if count == 1:  # one device: its picture on the left, the words beside it
            boxes.append((left + 24, top + 24, left + 480, bottom - 24))
            texts.append((left + 520, top + 40, width - 560))
        else:
            boxes.append((left + 16, top + 16, left + width - 16, top + 200))
            texts.append((left + 20, top + 212, width - 40))
    _pictures(card, draw, panels, boxes)
    large = count < 3
    name_font, line_font = _font(40 if count == 1 else 34 if large else 30, bold=True), _font(22)
    label_font, value_font = _font(20), _font(28 if large else 26, bold=True)
    for panel, (x, y, inner) in zip(panels, texts, strict=True):
        for line in _wrap(draw, panel.name, name_font, inner, 2):
            draw.text((x, y), line, font=name_font, fill=INK)
            y += name_font.size + 6
        if panel.subtitle:
            subtitle = _fit(draw, panel.subtitle, line_font, inner)
            draw.text((x, y), subtitle, font=line_font, fill=INK_SOFT)
            y += line_font.size + 14
        for label, value in panel.rows[:3]:
            label = _fit(draw, label, label_font, inner)
            draw.text((x, y), label, font=label_font, fill=INK_SOFT)
            y += label_font.size + 2
            draw.text((x, y), _fit(draw, value, value_font, inner), font=value_font, fill=INK)
            y += value_font.size + 8
    return _png(card)


def draw_story(title, summary="", byline=""):
    """A story's card: its title large, the summary under it, the byline at the foot."""
    card, draw = _canvas()
    draw.text((SIZE[0] - 160, 22), "News", font=_font(26), fill=PAPER)
    title_font, summary_font = _font(54, bold=True), _font(30)
    y = 120
    for line in _wrap(draw, title, title_font, SIZE[0] - 160, 4):
        draw.text((80, y), line, font=title_font, fill=INK)
        y += title_font.size + 14
    y += 16
    for line in _wrap(draw, summary, summary_font, SIZE[0] - 160, max(1, (540 - y) // 40)):
        draw.text((80, y), line, font=summary_font, fill=INK_SOFT)
        y += summary_font.size + 10
    if byline:
        draw.line((80, 556, SIZE[0] - 80, 556), fill=LINE, width=2)
        byline = _fit(draw, byline, _font(24), SIZE[0] - 160)
        draw.text((80, 572), byline, font=_font(24), fill=INK_SOFT)
    return _png(card)
