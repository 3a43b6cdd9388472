from django.conf import settings
from django.utils.cache import patch_cache_control


class SiteHeadersMiddleware:
    """Headers every answer needs, and HEAD answered without a body.

    - Permissions-Policy from settings.PERMISSIONS_POLICY.
    - HTML pages carry the visitor's CSRF token and compare list: ``Cache-Control: private``
      unless the view said otherwise. Feeds, sitemaps, robots.txt and files set ``public``.
    - HEAD: the headers of the GET answer, Content-Length included, and no body (the
      development server drops it, gunicorn does not), for files as for pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Cache-Control" not in response:
            patch_cache_control(response, private=True)
        if request.method == "HEAD":
            if response.streaming:
                # A file keeps the Content-Length it was given; the WSGI handler closes it.
                response.streaming_content = ()
            else:
                response.headers["Content-Length"] = str(len(response.content))
                response.content = b""
        return response
