"""Whole-page cache for public pages.

Without a session or a pending message, what a visitor sees depends only on the page's
path and the query parameters it understands, the content, and the devices in their
compare list (the widget and the add/remove buttons) — except for two per-request
values, the CSRF token in forms and the CSP nonce on scripts.

A page is rendered with two markers in their place, random for each render, so the cache
knows exactly where they stand; the stored copy is filled with this request's own token
and nonce whenever it is served, the first time included. Text in a story that looks like
a token, or like a marker, is never touched: only the markers of that render are replaced,
and a page whose content contains the marker prefix is not stored at all.

The key is made of the path, the parameters the view declares (sorted), the content
version and the visitor's list, so junk parameters add no entries; a view that answers
with a notice ("ignored …") calls ``dont_store`` so that page is not kept either. A page
also stops being served when the next scheduled story goes live, a change that comes
from the clock rather than a save. Signed-in editors, visitors with a message, and a list
that has just lost a deleted device get a fresh render.
"""

import functools
import hashlib
import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from .content import content_version, next_due
from .middleware import DATABASE_UNREACHABLE

logger = logging.getLogger(__name__)

TIMEOUT = 600
MARKER_PREFIX = "specwise-page-cache-"
MAX_PARAM_LENGTH = 200

_visitor_key = None


def register_visitor_key(function):
    """What a page shows of the visitor beyond the content: ``function(request)`` gives a
    text for the cache key (the devices in their compare list), or None when this request's
    page is for this visitor alone and must not be stored. The compare list registers it in
    ``AppConfig.ready()``; without one every visitor sees the same page."""
    global _visitor_key
    _visitor_key = function


def _visitor(request):
    return _visitor_key(request) if _visitor_key else ""


def _cacheable(request):
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def canonical_query(request, params):
    """The query string made only of the parameters the page understands, sorted.

    ``params`` is a collection of names or a predicate on a name. None if a value is
    absurdly long: such a page is rendered, never stored.
    """
    accepts = params if callable(params) else params.__contains__
    pairs = []
    for name, values in request.GET.lists():
        if not accepts(name):
            continue
        for value in values:
            if len(value) > MAX_PARAM_LENGTH:
                return None
            if value.strip():
                pairs.append((name, value))
    return urlencode(sorted(pairs))


def _key(request, query, visitor):
    page = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(f"{page} {visitor}".encode()).hexdigest()
    return f"page:{content_version()}:{digest}"


def _valid_until():
    """Now + TIMEOUT, or earlier if a scheduled story goes live before that."""
    until = timezone.now() + timezone.timedelta(seconds=TIMEOUT)
    due = next_due()
    return min(until, due) if due else until


def dont_store(request):
    """Keep this request's page out of the cache (it shows a notice about the request)."""
    request.page_cache_skip = True


def context(request):
    """Context processor: ``page_path``, where forms on the page send the visitor back to,
    and while the cache renders, its markers in place of the CSRF token and CSP nonce.

    A page the cache may store links back to its canonical URL, never to the junk
    parameters of whoever happened to ask for it first.
    """
    pending = getattr(request, "page_cache_markers", None)
    if pending is None:
        return {"page_path": request.get_full_path()}
    token, nonce = pending
    return {"page_path": request.page_cache_path, "csrf_token": token, "csp_nonce": nonce}


def _fill(html, token_marker, nonce_marker, request):
    """The stored page with this request's token and nonce in place of the markers."""
    if token_marker in html:
        html = html.replace(token_marker, get_token(request))
    if nonce_marker in html:
        html = html.replace(nonce_marker, str(get_nonce(request)))
    return html


def _render(view, request, args, kwargs, key, query):
    """Render with markers; store the page if it may be; answer with the filled page."""
    token_marker = f"{MARKER_PREFIX}{secrets.token_hex(16)}"
    nonce_marker = f"{MARKER_PREFIX}{secrets.token_hex(16)}"
    request.page_cache_markers = (token_marker, nonce_marker)
    request.page_cache_path = f"{request.path}?{query}" if query else request.path
    try:
        response = view(request, *args, **kwargs)
    finally:
        del request.page_cache_markers
    if response.status_code != 200 or response.streaming:
        return response
    html = response.content.decode()
    own = html.count(token_marker) + html.count(nonce_marker)
    storable = not getattr(request, "page_cache_skip", False) and html.count(MARKER_PREFIX) == own
    if storable:
        try:
            stored = (html, response["Content-Type"], _valid_until(), token_marker, nonce_marker)
            cache.set(key, stored, TIMEOUT)
        except Exception:
            logger.warning("Could not store page %s", request.path, exc_info=True)
    response.content = _fill(html, token_marker, nonce_marker, request)
    return response


def _serve(request, stored):
    html, content_type, _, token_marker, nonce_marker = stored
    return HttpResponse(_fill(html, token_marker, nonce_marker, request), content_type=content_type)


def cache_public_page(view=None, *, params=()):
    """Serve ``view`` from the page cache where the page is not personal (see above).

    ``params``: the query parameters the page understands (names, or a predicate).
    """
    if view is None:
        return functools.partial(cache_public_page, params=params)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        visitor = _visitor(request) if _cacheable(request) else None
        query = canonical_query(request, params) if visitor is not None else None
        if query is None:
            response = view(request, *args, **kwargs)
        else:
            try:
                key = _key(request, query, visitor)
                stored = cache.get(key)
            except DATABASE_UNREACHABLE:  # the key needs the content version
                raise
            except Exception:  # a cache outage must not take pages down
                logger.warning("Page cache unavailable", exc_info=True)
                stored = key = None
            if stored is not None and timezone.now() < stored[2]:
                response = _serve(request, stored)
            elif key is None:
                response = view(request, *args, **kwargs)
            else:
                response = _render(view, request, args, kwargs, key, query)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper
