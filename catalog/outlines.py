"""Devices drawn to scale from their dimensions, where they have no photo.

The dimensions are the value of the spec field whose role is "dimensions", and a device is
drawn as its category's kind (phone, laptop, …): data an editor sets, never read from names.

A phone's "162.1 x 76.4 x 8.6 mm" becomes its front outline, 76.4 mm wide and 162.1 mm
tall; a laptop's "324.3 x 225.1 x 12.9 mm" its closed lid seen from above. The two largest
figures are the face, the smallest the thickness. Chips get a package glyph, and a device
without (readable) dimensions a glyph of its category, so no page shows initials again.

Everything here works on what a page already loaded: the dimensions value comes from the
spec values a queryset prefetched (``with_key_specs``, ``with_specs``, a comparison's
specs); a device loaded without them gets its category glyph, never an extra query.

Shapes are data (``Shape``) written out as SVG elements in Python, the frame around them by
templates/includes/device_outline.html: inline SVG with attributes only, as the
Content-Security-Policy allows no inline style. (A template loop over every attribute of
every shape cost a catalog page 3 ms.)
"""

from dataclasses import dataclass, field

from django.utils.safestring import mark_safe

from .models import Category, SpecField
from .units import format_number, parse_dimensions

# Drawn landscape (wider than tall); everything else stands upright.
LANDSCAPE = {"laptop"}
# Proportions of the glyph for a category when the size is not known (mm, width x height).
GLYPH_FACE = {
    "phone": (75, 160),
    "tablet": (180, 250),
    "laptop": (320, 220),
    "watch": (40, 46),
    "chip": (60, 60),
    "other": (120, 120),
}

# The frame of each picture role: (width px, height px, mm shown across, or None to fit
# the device to the frame). Cards and the device page share one scale (the frame's width
# in mm), so a phone's card shows it smaller than a laptop's; the small frames fit.
FRAMES = {
    "card": (320, 160, 500),
    "page": (480, 360, 320),
    "compare": (96, 72, None),
    "thumb": (40, 40, None),
}


@dataclass(frozen=True)
class Shape:
    tag: str  # "rect", "circle" or "path"
    part: str  # CSS class suffix: "body", "screen", "detail"
    attrs: tuple  # (name, value) pairs, numbers already written out

    def __html__(self):
        """The SVG element, e.g. ``<circle class="outline__detail" cx="38.2" …/>``: made
        only of this module's names and numbers (see _shapes), so nothing to escape."""
        attrs = "".join(f' {name}="{value}"' for name, value in self.attrs)
        return f'<{self.tag} class="outline__{self.part}"{attrs}/>'


@dataclass
class Outline:
    """A device's outline (or its category glyph) in a frame, ready for the SVG template."""

    slug: str
    name: str
    kind: str
    glyph: bool
    width: float  # mm
    height: float
    depth: float | None
    label: str
    shapes: list = field(default_factory=list)
    view_box: str = ""
    px_width: str = ""
    px_height: str = ""
    offset: str = "0 0"

    @property
    def shapes_html(self):
        return mark_safe("".join(shape.__html__() for shape in self.shapes))

    @property
    def size_text(self):
        """ "76.4 × 162.1 × 8.6 mm" (width × height × depth as drawn), or ""."""
        if self.glyph:
            return ""
        figures = [self.width, self.height] + ([self.depth] if self.depth else [])
        return " × ".join(format_number(round(f, 1)) for f in figures) + " mm"


def kind_of(category):
    """ "phone", "tablet", "laptop", "watch", "chip" or "other" for a Category (no query:
    categories come with select_related)."""
    return category.kind if category is not None else Category.Kind.OTHER


def _loaded_specs(device):
    """The spec values a queryset already fetched for ``device``, or None: never a query."""
    for attr in ("card_specs", "compare_specs", "sheet_specs"):
        specs = getattr(device, attr, None)
        if specs is not None:
            return specs
    return getattr(device, "_prefetched_objects_cache", {}).get("specs")


def dimensions_text(device):
    """The value of ``device``'s dimensions field (the one with that role) if it was loaded
    with its specs, else ""."""
    for spec in _loaded_specs(device) or ():
        if spec.field.role == SpecField.Role.DIMENSIONS:
            return spec.value
    return ""


def _face(kind, sizes):
    """(width, height, depth) of the face drawn: the two largest figures, upright or
    landscape as the kind is seen; the smallest is the thickness."""
    small, middle, large = sorted(sizes)
    if kind in LANDSCAPE:
        return large, middle, small
    return middle, large, small


def outline_of(device):
    """The device's Outline at its real size (mm), or its category glyph."""
    kind = kind_of(device.category)
    sizes = parse_dimensions(dimensions_text(device)) if kind != "chip" else None
    if sizes:
        width, height, depth = _face(kind, sizes)
        outline = Outline(device.slug, device.name, kind, False, width, height, depth, "")
        outline.label = f"{device.name}, drawn to scale: {outline.size_text}"
    else:
        width, height = GLYPH_FACE[kind]
        what = "chip package" if kind == "chip" else f"{kind} (size not known)"
        label = f"{device.name}: {what}" if kind != "other" else device.name
        outline = Outline(device.slug, device.name, kind, True, width, height, None, label)
    outline.shapes = _shapes(kind, outline.width, outline.height)
    return outline


def framed(device, role):
    """``outline_of(device)`` placed in the frame of a picture role (see FRAMES)."""
    outline = outline_of(device)
    px_w, px_h, across = FRAMES[role]
    if across is None or outline.glyph:
        # Fit, with a margin: a glyph has no size to keep, a small frame no room for one.
        across = max(outline.width * 1.2, outline.height * 1.2 * px_w / px_h)
    across = max(across, outline.width * 1.1, outline.height * 1.1 * px_w / px_h)
    down = across * px_h / px_w
    outline.view_box = f"0 0 {_n(across)} {_n(down)}"
    outline.offset = f"{_n((across - outline.width) / 2)} {_n((down - outline.height) / 2)}"
    outline.px_width, outline.px_height = str(px_w), str(px_h)
    return outline


def size_comparison(devices, tallest_em=10.0, widest_em=16.0):
    """The outlines of ``devices`` at one scale, for a comparison: {"items": [Outline
    sized in em], "unknown": [devices without a size], "chips": [chips]}.

    The scale puts the tallest at ``tallest_em`` unless the widest would then pass
    ``widest_em``; sizes are in em so the stylesheet can enlarge the whole drawing on a
    wide screen without changing the proportions.
    """
    items, unknown, chips = [], [], []
    for device in devices:
        outline = outline_of(device)
        if not outline.glyph:
            items.append(outline)
        elif outline.kind == "chip":
            chips.append(device)
        else:
            unknown.append(device)
    if items:
        scale = min(
            tallest_em / max(o.height for o in items), widest_em / max(o.width for o in items)
        )
        for outline in items:
            outline.view_box = f"0 0 {_n(outline.width)} {_n(outline.height)}"
            outline.px_width = f"{outline.width * scale:.3f}em"
            outline.px_height = f"{outline.height * scale:.3f}em"
    return {"items": items, "unknown": unknown, "chips": chips}


def _n(number):
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _rect(part, x, y, w, h, r):
    attrs = (("x", _n(x)), ("y", _n(y)), ("width", _n(w)), ("height", _n(h)), ("rx", _n(r)))
    return Shape("rect", part, attrs)


def _circle(part, cx, cy, r):
    return Shape("circle", part, (("cx", _n(cx)), ("cy", _n(cy)), ("r", _n(r))))


def _shapes(kind, w, h):
    """The shapes of a ``kind`` of device ``w`` x ``h`` mm, in its own coordinates."""
    short = min(w, h)
    if kind == "phone":
        inset = short * 0.04
        radius = short * 0.13
        return [
            _rect("body", 0, 0, w, h, radius),
            _rect("screen", inset, inset, w - 2 * inset, h - 2 * inset, radius - inset),
            _circle("detail", w / 2, inset + short * 0.06, short * 0.025),
        ]
    if kind == "tablet":
        inset = short * 0.05
        return [
            _rect("body", 0, 0, w, h, short * 0.07),
            _rect("screen", inset, inset, w - 2 * inset, h - 2 * inset, short * 0.03),
            _circle("detail", w / 2, inset / 2, inset * 0.2),
        ]
    if kind == "laptop":
        return [
            _rect("body", 0, 0, w, h, short * 0.04),
            _rect("screen", short * 0.03, short * 0.03, w - short * 0.06, h * 0.93, short * 0.02),
            _circle("detail", w / 2, h * 0.45, short * 0.03),
        ]
    if kind == "watch":
        return [
            _rect("body", 0, 0, w, h, short * 0.25),
            _rect("screen", w * 0.08, h * 0.08, w * 0.84, h * 0.84, short * 0.18),
        ]
    if kind == "chip":
        return _chip(w, h)
    return [_rect("body", 0, 0, w, h, short * 0.08)]


def _chip(w, h):
    """A package seen from above: a square die on a substrate, pins on every side."""
    pins = []
    step, pin = w / 7, w * 0.06
    for i in range(1, 7):
        at = i * step - pin / 2
        pins.append(f"M{_n(at)} 0h{_n(pin)}v{_n(h * 0.1)}h-{_n(pin)}z")
        pins.append(f"M{_n(at)} {_n(h)}h{_n(pin)}v-{_n(h * 0.1)}h-{_n(pin)}z")
        pins.append(f"M0 {_n(at)}v{_n(pin)}h{_n(w * 0.1)}v-{_n(pin)}z")
        pins.append(f"M{_n(w)} {_n(at)}v{_n(pin)}h-{_n(w * 0.1)}v-{_n(pin)}z")
    return [
        Shape("path", "detail", (("d", "".join(pins)),)),
        _rect("body", w * 0.1, h * 0.1, w * 0.8, h * 0.8, w * 0.04),
        _rect("screen", w * 0.3, h * 0.3, w * 0.4, h * 0.4, w * 0.02),
        _circle("detail", w * 0.2, h * 0.2, w * 0.03),
    ]
