"""axe-core (shipped inside the axe-playwright-python package) against a Playwright page."""

from axe_playwright_python.sync_playwright import Axe

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page):
    results = Axe().run(page, options=WCAG_AA)
    violations = results.response["violations"]
    assert not violations, results.generate_report()
