"""Who a client is, behind the proxies the operator declared; what an htmx request wants."""

from django.conf import settings


def client_ip(request):
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n proxies in front,
    the address the outermost of them saw (the n-th entry from the right of
    X-Forwarded-For). Entries further left are the client's own claims and are ignored.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


# The request headers is_htmx_partial() reads: a view whose answer switches on it varies on
# all of them (a boosted request and a history restore send HX-Request too).
HTMX_PARTIAL_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")


def is_htmx_partial(request):
    """Whether to answer with a region of the page: an htmx swap of one. A boosted link or
    form and a history restore (htmx fetches the page when its saved copy is gone) swap the
    whole body, so they get the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
