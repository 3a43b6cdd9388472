from django.http import Http404
from django.views.decorators.http import require_GET, require_POST


@require_GET
def compare_list(request):
    raise Http404


@require_POST
def compare_add(request):
    raise Http404


@require_POST
def compare_remove(request):
    raise Http404


@require_POST
def compare_clear(request):
    raise Http404


@require_GET
def compare_find(request):
    raise Http404


@require_GET
def compare_shared(request, key):
    raise Http404
