"""What catalog pages show of comparisons, asked for from their templates so the catalog
never imports this app: the compare button, a device page's rivals and its share image."""

from django import template
from django.urls import reverse

from core import cards, images

from .. import buttons, compare, rivals

register = template.Library()


@register.simple_tag(takes_context=True)
def compare_button(context, device, in_card=False, oob=False):
    """``device``'s add-to-compare (or remove) button for this visitor (comparisons.buttons):
    ``{% compare_button device %}``; ``in_card=True`` in a card, ``oob=True`` in an htmx
    answer that updates every copy on the page."""
    return buttons.for_context(context, device, in_card, oob)


@register.simple_tag
def rivals_of(device):
    """[(rival, URL of the canonical comparison with ``device``)]: one bounded query."""
    # One reverse() for every rival: a shared comparison's URL is this prefix, its key, "/".
    prefix = reverse("comparisons:compare-shared", args=["key"]).removesuffix("key/")
    return [
        (rival, f"{prefix}{compare.canonical_key([device.slug, rival.slug])}/")
        for rival in rivals.rivals(device)
    ]


@register.simple_tag
def device_share_image(device):
    """A device page's og:image: its main photo's largest copy, else its generated card."""
    if device.image:
        width, height = images.box(images.WIDTHS[-1])
        url = images.copy_url(device.image.name, images.WIDTHS[-1], "jpg")
        return {"url": url, "width": width, "height": height, "alt": device.name}
    url = reverse("comparisons:device-card", args=[device.slug])
    return {"url": url, "width": cards.SIZE[0], "height": cards.SIZE[1], "alt": device.name}
