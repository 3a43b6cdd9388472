from django.utils.functional import SimpleLazyObject

from . import compare


def compare_list(request):
    """``compare``: the visitor's list, loaded (one query) only if a template uses it."""

    def load():
        # A view that already loaded the list (or changed it) leaves it here.
        if not hasattr(request, "compare_list"):
            request.compare_list = compare.load(request)
        return request.compare_list

    return {"compare": SimpleLazyObject(load)}
