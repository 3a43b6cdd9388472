"""core.pagination: any page number a visitor types gives a page and, if it was not one, a
notice saying which page is shown instead."""

import pytest

from core.pagination import paginate
from core.text import shown

ROWS = list(range(50))  # 5 pages of 10


@pytest.mark.parametrize("raw", [None, "", "  ", "1", " 1 ", "+1"])
def test_no_or_first_page_number_gives_the_first_page_quietly(raw):
    page, notice = paginate(ROWS, raw, 10)
    assert page.number == 1
    assert notice == ""


def test_a_page_number_gives_that_page():
    page, notice = paginate(ROWS, "3", 10)
    assert list(page.object_list) == list(range(20, 30))
    assert notice == ""


@pytest.mark.parametrize("raw", ["abc", "2.5", "1e3", "٣", "2_0", "\x00", "9" * 31])
def test_junk_gives_the_first_page_and_says_so(raw):
    page, notice = paginate(ROWS, raw, 10)
    assert page.number == 1
    assert notice == f'Ignored page "{shown(raw.strip())}": not a page number.'


def test_a_long_junk_page_number_is_cut_in_the_notice():
    _page, notice = paginate(ROWS, "x" * 1000, 10)
    assert notice == f'Ignored page "{"x" * 39}…": not a page number.'


@pytest.mark.parametrize(("raw", "number"), [("0", 1), ("-1", 1), ("6", 5), ("999999999999", 5)])
def test_a_page_outside_the_list_gives_the_nearest_and_says_so(raw, number):
    page, notice = paginate(ROWS, raw, 10)
    assert page.number == number
    assert notice == f"There is no page {raw}; showing page {number}."


def test_pages_past_the_cap_are_not_linked_and_the_notice_says_why():
    page, notice = paginate(ROWS, "4", 10, max_pages=2)
    assert page.number == 2
    assert page.paginator.num_pages == 2
    assert page.paginator.capped and page.paginator.shown_count == 20
    assert notice == (
        "Page 4 is past the first 20 matches; showing page 2. Narrow the filters to see the rest."
    )


def test_without_a_cap_every_page_is_linked():
    page, _notice = paginate(ROWS, "5", 10)
    assert page.paginator.num_pages == 5
    assert not page.paginator.capped and page.paginator.shown_count == 50
    assert page.elided_range == [1, 2, 3, 4, 5]


def test_an_empty_list_has_one_empty_page():
    page, notice = paginate([], "1", 10, max_pages=3)
    assert list(page.object_list) == [] and notice == ""
    assert not page.paginator.capped


def test_a_known_count_is_used_instead_of_counting():
    page, _notice = paginate(ROWS, "1", 10, count=25)
    assert page.paginator.num_pages == 3
