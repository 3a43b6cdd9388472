"""core.links builds the links reverse() would, for every view of a row."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.links import slug_url, view_url


@pytest.mark.parametrize(
    "viewname",
    [
        "catalog:device",
        "catalog:brand",
        "catalog:ranking",
        "news:article",
        "news:tag",
        "news:author",
    ],
)
@pytest.mark.parametrize("slug", ["pixel-9", "a", "x_1-2", "0slug0marker0", "Ünïcode-slug"])
def test_a_link_is_what_reverse_gives(viewname, slug):
    try:
        expected = reverse(viewname, args=[slug])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            slug_url(viewname, slug)
    else:
        assert slug_url(viewname, slug) == expected


def test_a_site_under_a_path_prefix_links_under_it():
    try:
        set_script_prefix("/specwise/")
        assert slug_url("catalog:device", "pixel-9") == "/specwise/devices/pixel-9/"
    finally:
        set_script_prefix("/")
    assert slug_url("catalog:device", "pixel-9") == "/devices/pixel-9/"


@pytest.mark.parametrize(
    "viewname", ["comparisons:compare-add", "comparisons:compare-remove", "news:search"]
)
def test_a_view_without_arguments_is_linked_as_reverse_does(viewname):
    assert view_url(viewname) == reverse(viewname)
    try:
        set_script_prefix("/specwise/")
        assert view_url(viewname) == reverse(viewname)
    finally:
        set_script_prefix("/")
