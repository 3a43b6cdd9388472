from django.utils.functional import SimpleLazyObject

from . import compare


def compare_list(request):
    """``compare``: the visitor's list, loaded (one query) only if a template uses it."""
    return {"compare": SimpleLazyObject(lambda: compare.for_request(request))}
