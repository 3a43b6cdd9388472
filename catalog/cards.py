"""Device cards with their static part cached per device, so that every filter combination,
sort and page showing a device reuses its card.

A card is the same for every visitor except for its compare button (the visitor's list, the
page it sends them back to, the CSRF token): the cached HTML holds BUTTON where the button
goes, and each request renders the button into it (see ``templatetags.catalog.device_card``).
The key holds the content version, the device's ``updated_at`` and its distinguisher (which
an edit of a namesake changes), so any edit (specs, photos, brand names, fields) gives
fresh cards.
"""

import logging
import zlib

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.content import content_version

from .models import DeviceQuerySet

logger = logging.getLogger(__name__)

# Autoescaped device text can never contain "<!--", so only the card's own placeholder matches.
BUTTON = mark_safe("<!-- compare button -->")
# A shared cache (Redis) outlives a deploy: a new card template needs a new prefix.
KEY_PREFIX = "device-card-2"
TIMEOUT = 24 * 3600
TEMPLATE = "includes/device_card.html"


def _key(version, device, heading, eager):
    stamp = device.updated_at.timestamp() if device.updated_at else 0
    # The card shows what sets the device apart from its namesakes, which another device's
    # edit can change: a digest of it keeps the key short whatever it says.
    label = zlib.crc32(device.distinguisher.encode())
    return f"{KEY_PREFIX}:{version}:{device.pk}:{stamp}:{label}:{heading}:{int(eager)}"


def card_bodies(devices, heading="h3"):
    """{device pk: its card's HTML with BUTTON in place of the compare button}.

    One ``get_many`` for the whole list; the cards missing from it are rendered (loading
    what the rows lack of their key specs, brand and category) and stored with one
    ``set_many``. The first card loads its picture at once.
    """
    devices = list(devices)
    version = content_version()
    keys = {d.pk: _key(version, d, heading, i == 0) for i, d in enumerate(devices)}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # a cache outage costs the renders, not the page
        logger.warning("Card cache unavailable", exc_info=True)
        found = {}
    bodies = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [d for d in devices if d.pk not in bodies]
    if not missing:
        return bodies
    # Whatever the rows lack: nothing after with_key_specs(), one query for the specs after
    # the catalog's rows (which carry their brand and category), three for plain rows.
    prefetch_related_objects(missing, "brand", "category")
    if any(not hasattr(d, "card_specs") for d in missing):
        prefetch_related_objects(missing, DeviceQuerySet.card_specs_prefetch())
    fresh = {}
    for device in missing:
        eager = device.pk == devices[0].pk
        context = {"device": device, "heading": heading, "eager": eager, "button": BUTTON}
        fresh[keys[device.pk]] = bodies[device.pk] = render_to_string(TEMPLATE, context)
    try:
        cache.set_many(fresh, TIMEOUT)
    except Exception:
        logger.warning("Could not cache cards", exc_info=True)
    return bodies
