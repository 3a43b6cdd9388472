"""Pages of a long list, the same way on every paged view.

A page number from the query string is never an error: junk gives page 1, one past the end
the last page, each with a notice saying so. A paginator may link at most ``max_pages``
pages, as a deep OFFSET costs as much as the rows it skips.
"""

import re

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .django_private import uncapped_num_pages
from .text import shown

PAGE_NUMBER = re.compile(r"[+-]?[0-9]+")
MAX_PAGE_NUMBER_LENGTH = 30


class CappedPaginator(Paginator):
    """A Paginator that links at most ``max_pages`` pages (None: every page); ``capped`` says
    some are left out."""

    def __init__(self, *args, max_pages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_pages = max_pages

    @cached_property
    def num_pages(self):
        pages = uncapped_num_pages(self)
        return pages if self.max_pages is None else min(pages, self.max_pages)

    @property
    def capped(self):
        return self.count > self.shown_count

    @property
    def shown_count(self):
        """How many matches the linked pages hold."""
        return min(self.count, self.num_pages * self.per_page)


def paginate(queryset, raw_page, per_page, max_pages=None, count=None):
    """(page, notice or ""): a junk page number gives page 1, one past the end the last page,
    one past ``max_pages`` the last page linked (``page.paginator.capped`` then holds).

    Runs the COUNT query unless ``count`` says how many rows there are; the page's rows
    load when it is iterated.
    """
    paginator = CappedPaginator(queryset, per_page, max_pages=max_pages)
    if count is not None:
        paginator.count = count
    raw_page = (raw_page or "1").strip() or "1"
    notice = ""
    # ASCII digits and a bounded length before int(), which reads other scripts' digits and
    # refuses (ValueError) more than 4300 of them.
    if len(raw_page) > MAX_PAGE_NUMBER_LENGTH or not PAGE_NUMBER.fullmatch(raw_page):
        number, notice = 1, f'Ignored page "{shown(raw_page)}": not a page number.'
    else:
        number = int(raw_page)
        if not 1 <= number <= paginator.num_pages:
            nearest = 1 if number < 1 else paginator.num_pages
            if paginator.capped and number > nearest:
                notice = (
                    f"Page {shown(raw_page)} is past the first {paginator.shown_count:,} "
                    f"matches; showing page {nearest}. Narrow the filters to see the rest."
                )
            else:
                notice = f"There is no page {shown(raw_page)}; showing page {nearest}."
            number = nearest
    page = paginator.page(number)
    # For the page links: "1 2 … 7 8 9 … 20" around the current page.
    page.elided_range = list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1))
    return page, notice
