from django.http import Http404
from django.views.decorators.http import require_GET


@require_GET
def device_list(request):
    raise Http404


@require_GET
def device_detail(request, slug):
    raise Http404


@require_GET
def brand_detail(request, slug):
    raise Http404
