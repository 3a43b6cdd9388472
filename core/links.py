"""Links to pages, built without Django's reverse() for each: a page of a row (a device, a
story), and the same few pages (the compare list's actions) linked from every row of a list.

reverse() matches the view's pattern against its arguments on every call: 70 µs, and a
search page links forty rows. A page of a row differs from the next only by its slug, so
the URL is reversed once per view with a marker in the slug's place, and each link is that
URL with the marker replaced. A slug the pattern might not take (anything but letters,
digits, "-" and "_") goes through reverse() as before.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

MARKER = "0slug0marker0"
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.cache
def _around_slug(viewname, script_prefix, urlconf):
    """(before, after) the slug in the URL of ``viewname`` (one slug argument)."""
    url = reverse(viewname, args=[MARKER], urlconf=urlconf)
    before, _marker, after = url.rpartition(MARKER)
    return before, after


def slug_url(viewname, slug):
    """What ``reverse(viewname, args=[slug])`` returns."""
    if not PLAIN_SLUG.fullmatch(slug):
        return reverse(viewname, args=[slug])
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    before, after = _around_slug(viewname, get_script_prefix(), urlconf)
    return f"{before}{slug}{after}"


@functools.cache
def _fixed(viewname, script_prefix, urlconf):
    return reverse(viewname, urlconf=urlconf)


def view_url(viewname):
    """What ``reverse(viewname)`` returns for a view without arguments, reversed once."""
    return _fixed(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
