"""The pages no other browser test visits, on the demo content, checked with axe-core."""

import io

import pytest
from django.core.management import call_command

from tests.browser.axe import assert_accessible

PAGES = [
    "/",
    "/news/",
    "/news/tag/ai/",
    "/search/?q=snapdragon",
    "/brands/qualcomm/",
    "/no-such-page/",
]


@pytest.mark.django_db(transaction=True)
def test_public_pages_are_accessible_on_a_phone(live_server, browser):
    call_command("load_demo", stdout=io.StringIO())
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    csp_errors = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    try:
        for path in PAGES:
            response = page.goto(live_server.url + path)
            assert response.status == (404 if path == "/no-such-page/" else 200), path
            assert page.locator("#compare-widget").is_visible(), path
            # Nothing wider than the screen: no sideways scrolling on a phone.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than a 360px screen"
            assert_accessible(page)
    finally:
        context.close()
    assert not csp_errors
