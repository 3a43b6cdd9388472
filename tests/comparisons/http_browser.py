"""A scripted browser for tests against a running server: cookies, CSRF, form posts."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class Browser:
    """One browser: a shared cookie jar, a CSRF token, form posts without redirects."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        page = self.opener.open(f"{base_url}/compare/find/").read().decode()
        # base.html hands htmx the token; a form would carry the same.
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)

    def post(self, path, slug, base_url=None):
        base_url = base_url or self.base_url
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, "device": slug}).encode()
        request = urllib.request.Request(
            f"{base_url}{path}", data=data, headers={"Referer": f"{base_url}/"}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def get(self, url):
        with self.opener.open(url, timeout=60) as response:
            return response.read().decode()

    def cookie(self, name):
        return next(c.value for c in self.jar if c.name == name)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
