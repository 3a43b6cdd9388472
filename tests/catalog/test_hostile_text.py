"""Hostile names and values show as text on the device page's spec sheet (rows written in
Python, catalog.views.SheetValue) and on catalog cards."""

import re

import pytest
from django.urls import reverse

from tests.hostile import BREAKOUT, SCRIPT, UNIT, assert_inert, make_hostile_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile():
    return make_hostile_catalog()


CARD = r'<article class="card device-card" id="device-[^"]*">.*?</article>'


def sheet(html):
    """The spec sheet's rows: what SheetValue writes."""
    return "".join(re.findall(r'<tr><th scope="row">.*?</tr>', html, re.S))


def test_the_spec_sheet_shows_hostile_names_values_units_and_sources_as_text(client, hostile):
    response = client.get(hostile["first"].get_absolute_url())
    assert response.status_code == 200
    rows = sheet(response.text)
    assert rows.count("<tr>") == 4
    assert_inert(
        rows,
        hostile["colour"].name,
        hostile["weight"].name,
        hostile["node"].name,
        SCRIPT,  # the text value
        f"150 {BREAKOUT}",  # the number's source text
        f"(150 {UNIT})",  # the stored number in the field's unit
        f"note {SCRIPT}",  # a source note
        f"162.1 x 76.4 x 8.6 mm {SCRIPT}",
        hostile["chip"].name,  # the chip a carried value comes from
    )
    assert_inert(response.text, f"{hostile['first'].name}, drawn to scale")


def test_a_hostile_source_url_stays_inside_its_link(client, hostile):
    response = client.get(hostile["second"].get_absolute_url())
    assert response.status_code == 200
    rows = sheet(response.text)
    assert_inert(rows, BREAKOUT)
    assert '<a href="https://evil.example/&quot;&gt;&lt;img src=x onerror=1&gt;"' in rows
    assert_inert(response.text)


def test_catalog_cards_show_hostile_names_and_key_specs_as_text(client, hostile):
    response = client.get(reverse("catalog:device-list"))
    assert response.status_code == 200
    cards = "".join(re.findall(CARD, response.text, re.S))
    assert cards.count("<article") == 3
    assert_inert(
        cards,
        hostile["first"].name,
        hostile["second"].name,
        hostile["chip"].name,
        hostile["brand"].name,
        hostile["colour"].name,
        SCRIPT,
        f"150 {UNIT}",
        f"{hostile['first'].name}, drawn to scale",  # the outline's label
    )
    assert_inert(response.text)
