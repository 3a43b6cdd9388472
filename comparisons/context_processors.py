from django.utils.functional import SimpleLazyObject

from core.links import view_url

from . import compare


def compare_list(request):
    """``compare``: the visitor's list, loaded (one query) only if a template uses it; and
    where each add or remove button of a page posts to."""
    return {
        "compare": SimpleLazyObject(lambda: compare.for_request(request)),
        "compare_add_url": view_url("comparisons:compare-add"),
        "compare_remove_url": view_url("comparisons:compare-remove"),
    }
