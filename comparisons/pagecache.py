"""Whole-page cache for visitors who see the generic version of a public page.

Most visitors have no compare list, no session and no pending message, so the page they
get is the same for all of them but for two per-request values: the CSRF token in forms
and the CSP nonce on scripts. Those are swapped for placeholders when a page is stored
and filled in with this request's values when it is served, so nobody ever receives
another visitor's token. Keys carry content_version(), so an editor's change shows at
the next request; a page also stops being served once the next scheduled story is due, since
that change comes from the clock, not from a save. Anyone with a list, a session or a
message gets a fresh render.
"""

import functools
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from .caching import content_version, get_or_compute

logger = logging.getLogger(__name__)

TIMEOUT = 600
TOKEN_PLACEHOLDER = "__specwise_csrf_token__"
NONCE_PLACEHOLDER = "__specwise_csp_nonce__"
# Where a masked CSRF token can stand in our templates: form fields and htmx headers.
TOKEN_RE = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{64}')
PERSONAL_COOKIES = ("messages",)


def _cacheable(request):
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
        return False
    cookies = request.COOKIES
    personal = (settings.COMPARE_COOKIE_NAME, settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES)
    return not any(name in cookies for name in personal) and len(request.get_full_path()) < 512


def _key(request):
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page:{content_version()}:{hashlib.sha256(url.encode()).hexdigest()}"


def _valid_until():
    """Now + TIMEOUT, or earlier if a scheduled story goes live before that."""
    from news.models import Article

    # Cached per content version: a save that changes the schedule bumps the version.
    next_due = get_or_compute(
        f"next-due:{content_version()}", lambda: Article.objects.next_due() or False, TIMEOUT
    )
    until = timezone.now() + timezone.timedelta(seconds=TIMEOUT)
    return min(until, next_due) if next_due else until


def _store(request, response, key):
    html = TOKEN_RE.sub(rf"\g<1>{TOKEN_PLACEHOLDER}", response.content.decode())
    nonce = get_nonce(request)
    if nonce:  # true only once this response used it
        html = html.replace(str(nonce), NONCE_PLACEHOLDER)
    cache.set(key, (html, response["Content-Type"], _valid_until()), TIMEOUT)


def _serve(request, stored):
    html, content_type, _ = stored
    if TOKEN_PLACEHOLDER in html:
        html = html.replace(TOKEN_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in html:
        html = html.replace(NONCE_PLACEHOLDER, str(get_nonce(request)))
    return HttpResponse(html, content_type=content_type)


def cache_public_page(view):
    """Serve ``view`` from the page cache to visitors without personal state."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            response = view(request, *args, **kwargs)
        else:
            try:
                key = _key(request)
                stored = cache.get(key)
            except Exception:  # a cache outage must not take pages down
                logger.warning("Page cache unavailable", exc_info=True)
                stored = key = None
            if stored is not None and timezone.now() < stored[2]:
                response = _serve(request, stored)
            else:
                response = view(request, *args, **kwargs)
                if key and response.status_code == 200 and not response.streaming:
                    try:
                        _store(request, response, key)
                    except Exception:
                        logger.warning("Could not store page %s", request.path, exc_info=True)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper
