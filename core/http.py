"""Who a client is, behind the proxies the operator declared."""

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
