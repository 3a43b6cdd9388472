"""Whole-page cache for public pages.

Without a session or a pending message, what a visitor sees depends only on the URL, the
content and the devices in their compare list (the widget and the add/remove buttons) —
except for two per-request values, the CSRF token in forms and the CSP nonce on scripts.
Pages are cached under those three, with the token and nonce swapped for placeholders and
filled in with this request's own values when served, so nobody ever receives another
visitor's token. The content version in the key makes an editor's change show at the
next request; a page also stops being served when the next scheduled story goes live,
a change that comes from the clock rather than a save. Signed-in editors, visitors with
a message, and a list that has just lost a deleted device get a fresh render.
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

from . import compare
from .caching import content_version, get_or_compute

logger = logging.getLogger(__name__)

TIMEOUT = 600
TOKEN_PLACEHOLDER = "__specwise_csrf_token__"
NONCE_PLACEHOLDER = "__specwise_csp_nonce__"
# Where a masked CSRF token can stand in our templates: form fields and htmx headers.
TOKEN_RE = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{64}')


def _cacheable(request):
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return len(request.get_full_path()) < 512


def _key(request, visitor_list):
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    listed = ",".join(visitor_list.slugs)
    digest = hashlib.sha256(f"{url} {listed}".encode()).hexdigest()
    return f"page:{content_version()}:{digest}"


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
    """Serve ``view`` from the page cache where the page is not personal (see above)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        visitor_list = compare.for_request(request) if _cacheable(request) else None
        # A list that just lost a deleted device says so once: that page is not for reuse.
        if visitor_list is None or visitor_list.removed_names:
            response = view(request, *args, **kwargs)
        else:
            try:
                key = _key(request, visitor_list)
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
