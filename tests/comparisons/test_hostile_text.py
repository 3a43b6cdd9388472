"""Hostile names and values show as text in comparison tables, whose rows and cells are
written in Python (comparisons.table.Row and Cell)."""

import re

import pytest
from django.urls import reverse

from comparisons.compare import canonical_key
from tests.hostile import BREAKOUT, SCRIPT, UNIT, assert_inert, make_hostile_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile():
    return make_hostile_catalog()


def table_rows(html):
    """The table's field rows: what Row and Cell write."""
    return "".join(re.findall(r'<tr(?: data-differs)?><th scope="row">.*?</tr>', html, re.S))


def assert_table_is_inert(html, hostile):
    rows = table_rows(html)
    assert rows.count("<th") == 4
    assert_inert(
        rows,
        hostile["colour"].name,
        hostile["weight"].name,
        hostile["node"].name,
        f"({UNIT})",  # the row's unit
        SCRIPT,  # text cells
        BREAKOUT,
        f"150 {UNIT}",  # number cells, the best one included
        f"170 {UNIT}",
        hostile["chip"].name,  # the chip carried values come from
    )
    assert_inert(html)


def test_the_visitors_list_shows_hostile_text_as_text(client, give_list, hostile):
    give_list(client, [hostile["first"], hostile["second"]])
    response = client.get(reverse("comparisons:compare"))
    assert response.status_code == 200
    assert_table_is_inert(response.text, hostile)


def test_a_shared_comparison_shows_hostile_text_as_text(client, hostile):
    key = canonical_key([hostile["first"].slug, hostile["second"].slug])
    url = reverse("comparisons:compare-shared", args=[key])
    for _served in ("rendered", "cached"):
        response = client.get(url)
        assert response.status_code == 200
        assert_table_is_inert(response.text, hostile)
