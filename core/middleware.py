import re

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control

from .django_private import log_response_at

# What no form sends and no text column should hold: C0 control characters but tab, line
# feed and carriage return (a textarea sends CR LF), DEL, and lone surrogates (no database
# driver encodes them). PostgreSQL refuses NUL in text outright: a 500 wherever it reached.
UNSENDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
REFUSED_TEXT = (
    "Bad request: a form field or a query parameter holds a control character (such as NUL) "
    "that no page of this site sends. Check the address, or send the form again from the page."
)


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


# What a database that cannot be reached raises: Django wraps the driver's own errors
# (psycopg's, sqlite3's) in these, whatever the backend.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 5


class DatabaseUnavailableMiddleware:
    """A request that cannot reach the database gets a static "back in a moment" page.

    Status 503 with Retry-After and no traceback, and one warning in the log instead of
    Django's error. The page is rendered without the request, so no context processor (some
    of them query) runs. Nothing needs resetting afterwards: Django drops a connection that raised
    when the request ends, and checks a kept one before reusing it (conn_health_checks), so
    the site answers again as soon as the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNREACHABLE):
            return None
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        add_never_cache_headers(response)
        reason = " ".join(str(exception).split()) or type(exception).__name__
        log_response_at(
            "warning",
            "Database unavailable, answered 503: %s %s (%s)",
            request.method,
            request.path,
            reason,
            response=response,
            request=request,
        )
        return response


class RefuseControlCharactersMiddleware:
    """A 400 for a request whose parameters (names or values, in the query string or a
    posted form) hold a character of ``UNSENDABLE``, so no view sees one. Uploaded files
    are not read: only the form's text fields are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        parameters = [request.GET]
        if request.method == "POST":
            parameters.append(request.POST)
        for query in parameters:
            for name, values in query.lists():
                if any(UNSENDABLE.search(text) for text in (name, *values)):
                    return HttpResponseBadRequest(
                        REFUSED_TEXT, content_type="text/plain; charset=utf-8"
                    )
        return self.get_response(request)
