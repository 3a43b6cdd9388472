"""The compare button beside every listed device is written in Python (comparisons.buttons):
hostile names stay text in it, on the search page and in the widget's answer alike."""

import re

import pytest
from django.urls import reverse

from tests.hostile import assert_inert, make_hostile_catalog

pytestmark = pytest.mark.django_db

WIDGET = {"HX-Request": "true", "HX-Target": "compare-find-results"}


def buttons(html):
    return re.findall(r'<form class="compare-button".*?</form>', html, re.S)


@pytest.mark.parametrize(
    ("url", "headers"),
    [("news:search", {}), ("comparisons:compare-find", WIDGET)],
    ids=["search page", "widget"],
)
def test_buttons_show_hostile_names_as_text(client, url, headers):
    hostile = make_hostile_catalog()
    response = client.get(reverse(url), {"q": "phone"}, headers=headers)
    assert response.status_code == 200
    found = buttons(response.text)
    assert len(found) == 2
    assert_inert(
        "".join(found),
        f"Add {hostile['first'].name} to your compare list",
        f"Add {hostile['second'].name} to your compare list",
    )


def test_a_button_posts_with_the_token_and_comes_back_to_its_page(client, give_list):
    hostile = make_hostile_catalog()
    give_list(client, [hostile["first"]])
    response = client.get(reverse("news:search"), {"q": "phone"})
    by_device = {
        re.search(r'data-compare-button="([^"]+)"', b).group(1): b for b in buttons(response.text)
    }
    added, other = by_device[hostile["first"].slug], by_device[hostile["second"].slug]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', added).group(1)
    assert len(token) == 64
    assert f'action="{reverse("comparisons:compare-remove")}"' in added
    assert "Added ✓ · Remove" in added
    assert f'action="{reverse("comparisons:compare-add")}"' in other
    assert '<input type="hidden" name="next" value="/search/?q=phone">' in other
