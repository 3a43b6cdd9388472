"""Display helpers for catalog templates: device pictures, outlines, spec values."""

from django import template
from django.utils.safestring import mark_safe

from catalog import cards as catalog_cards
from catalog import outlines
from catalog.specs import spec_text
from core import images

register = template.Library()

# How a photo is shown in each role: (width, height) of its 4:3 copy as laid out, the
# `sizes` the browser picks a copy by, the fallback copy's width, and lazy by default.
PHOTO_ROLES = {
    "card": (320, 240, "(max-width: 40rem) 90vw, 20rem", 640, True),
    "page": (480, 360, "(max-width: 48rem) 90vw, 20rem", 640, False),
    "compare": (96, 72, "6rem", 160, False),
    "thumb": (40, 30, "2.5rem", 160, True),
}


@register.filter
def spec_display(spec):
    """A spec value as cards and tables show it: numbers in the field's unit ("1,370 g")."""
    return spec_text(spec)


def _photo(name, role, eager):
    width, height, sizes, fallback, lazy = PHOTO_ROLES[role]
    return {
        "role": role,
        "photo": True,
        "src": images.copy_url(name, fallback, "jpg"),
        "webp_srcset": images.srcset(name, "webp"),
        "jpeg_srcset": images.srcset(name, "jpg"),
        "sizes": sizes,
        "width": width,
        "height": height,
        "lazy": lazy and not eager,
    }


@register.simple_tag
def device_picture_data(device, role="card", eager=False):
    """What includes/device_picture.html draws for ``device``: its main photo's resized
    copies, else its outline in the role's frame (never a query, see catalog.outlines)."""
    role = role if role in PHOTO_ROLES else "card"
    if device.image:
        return _photo(device.image.name, role, eager)
    return {"role": role, "photo": False, "outline": outlines.framed(device, role)}


@register.simple_tag
def photo_picture_data(photo, role="compare"):
    """The same for one DevicePhoto (the device page's gallery)."""
    return _photo(photo.image.name, role if role in PHOTO_ROLES else "compare", False)


@register.simple_tag
def device_photos(device):
    """The device's photos in order: one query, and none for a device without photos."""
    return list(device.photos.all()) if device.image else []


@register.filter
def large_copy(photo):
    """The URL of a photo's largest JPEG copy (a link to see it whole)."""
    return images.copy_url(photo.image.name, images.WIDTHS[-1], "jpg")


@register.simple_tag
def size_comparison_data(devices):
    """The devices' outlines at one scale (see catalog.outlines.size_comparison)."""
    return outlines.size_comparison(devices)


@register.filter
def absolute(url, request):
    """``url`` made absolute for this request's host, unless it already is (media on S3)."""
    if not url or "://" in str(url):
        return url
    return request.build_absolute_uri(url)


@register.simple_tag
def card_bodies(devices, heading="h3"):
    """The cached part of each device's card: ``{% card_bodies devices "h2" as cards %}``,
    then ``{% device_card device cards %}`` in the loop (see catalog.cards)."""
    return catalog_cards.card_bodies(devices, heading)


@register.simple_tag(takes_context=True)
def device_card(context, device, bodies):
    """``device``'s cached card with this visitor's compare button in its place."""
    button = context.template.engine.get_template("includes/compare_button.html")
    with context.push(device=device, in_card=True):
        html = button.render(context)
    before, _, after = bodies[device.pk].rpartition(catalog_cards.BUTTON)
    return mark_safe(before + html + after)


@register.filter
def distinguisher(device):
    """What sets ``device`` apart from devices of the same name ("2020 · 16 GB"), or "";
    stored on the device (see catalog.namesakes)."""
    return getattr(device, "distinguisher", "")
