import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.http import HTMX_PARTIAL_HEADERS, is_htmx_partial


@pytest.mark.parametrize(
    ("headers", "partial"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ],
)
def test_only_an_htmx_swap_of_a_region_is_a_partial_request(headers, partial):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    assert is_htmx_partial(request) is partial
    assert set(headers) <= set(HTMX_PARTIAL_HEADERS)


def test_a_request_the_htmx_middleware_never_saw_is_not_partial():
    assert is_htmx_partial(RequestFactory().get("/", headers={"HX-Request": "true"})) is False
