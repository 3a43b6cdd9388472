"""The compare list: change it (add, remove, clear), find devices for it, show it.

Changes answer htmx with the widget plus out-of-band copies of every add/remove button
of the devices involved, and plain form posts with a 303 back and a message. Errors
answer htmx with status 200 and the error inside the widget, because htmx 2 does not
swap 4xx responses unless configured to; plain posts get a real 400 or 404 page.
"""

import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from core.content import content_version, get_or_compute
from core.pagecache import cache_public_page

from . import compare
from .models import Device
from .popular import record_view

logger = logging.getLogger(__name__)

FIND_LIMIT = 8


def _is_safe(request, url):
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _next_url(request):
    """Where a plain form post goes back to: ``next``, else the Referer, else /compare/."""
    for url in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if _is_safe(request, url):
            return url
    return reverse("comparisons:compare")


def _page_url(request):
    """The path of the page an htmx request came from (for the buttons it redraws)."""
    url = request.headers.get("HX-Current-URL", "")
    if not _is_safe(request, url):
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _partial(request):
    return bool(request.htmx) and not request.htmx.history_restore_request


def _widget(request, visitor_list, *, status="", error="", touched=(), code=200):
    """The htmx answer: the widget, and every button of the ``touched`` devices."""
    request.compare_list = visitor_list
    page_url = _page_url(request)
    response = render(
        request,
        "comparisons/compare_changed.html",
        {
            "compare_status": status,
            "compare_error": error,
            "oob_devices": touched,
            "next_url": page_url,
        },
        status=code,
    )
    # The table on /compare/ shows the list too: reload it rather than leave it stale.
    if not error and urlsplit(page_url).path == reverse("comparisons:compare"):
        response["HX-Refresh"] = "true"
    return response


def _device_from_post(request):
    """(device, None) or (None, error response) for the ``device`` field."""
    slug = request.POST.get("device", "").strip()
    if not slug:
        text = "No device was chosen: the form sent no device."
        if request.htmx:
            return None, _widget(request, compare.load(request), error=text)
        return None, render(
            request,
            "comparisons/compare_error.html",
            {"title": "No device chosen", "text": text},
            status=400,
        )
    device = Device.objects.with_related().filter(slug=slug[:200]).first()
    if device is None:
        text = f"We could not find a device called “{slug[:200]}”. It may have been removed."
        if request.htmx:
            return None, _widget(request, compare.load(request), error=text)
        return None, render(
            request,
            "comparisons/compare_error.html",
            {"title": "Device not found", "text": text},
            status=404,
        )
    return device, None


def _answer(request, change, text):
    """Answer a change: the widget for htmx, else a message and a 303 back."""
    if request.htmx:
        response = _widget(
            request,
            change.visitor_list,
            status="" if change.error else text,
            error=change.error,
            touched=change.touched,
        )
    else:
        if change.error:
            messages.error(request, change.error)
        else:
            messages.success(request, text)
        response = redirect(_next_url(request))
        response.status_code = 303
    if change.visitor_list.token:
        compare.set_cookie(response, change.visitor_list.token)
    return response


@require_POST
def compare_add(request):
    device, error = _device_from_post(request)
    if error:
        return error
    change = compare.add(compare.get_token(request), device)
    if change.changed:
        text = f"Added {device.name} to your compare list."
    else:
        text = f"{device.name} is already in your compare list."
    return _answer(request, change, text)


@require_POST
def compare_remove(request):
    device, error = _device_from_post(request)
    if error:
        return error
    change = compare.remove(compare.get_token(request), device)
    if change.changed:
        text = f"Removed {device.name} from your compare list."
    else:
        text = f"{device.name} is not in your compare list."
    return _answer(request, change, text)


@require_POST
def compare_clear(request):
    change = compare.clear(compare.get_token(request))
    text = "Your compare list is now empty." if change.changed else "Your list was already empty."
    return _answer(request, change, text)


@require_safe
@vary_on_headers("HX-Request")
def compare_find(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    devices = list(Device.objects.with_related().search(query).order_by("name")[:FIND_LIMIT])
    context = {"find_query": query, "found": devices}
    if _partial(request):
        context["next_url"] = _page_url(request)
        return render(request, "comparisons/compare_find.html#results", context)
    return render(request, "comparisons/compare_find.html", context)


@require_safe
@vary_on_headers("HX-Request")
def compare_list(request):
    visitor_list = compare.load(request)
    request.compare_list = visitor_list
    only = request.GET.get("only") == "differences"
    devices = compare.with_table_specs(list(visitor_list.devices))
    table = compare.build_table(devices, only) if devices else None
    context = {"table": table, "editable": True, "base_url": reverse("comparisons:compare")}
    if table and _partial(request):
        return render(request, "comparisons/compare_list.html#table", context)
    if visitor_list.share_key:
        if request.method == "GET":
            record_view(request, visitor_list.share_key)
        context["share_url"] = request.build_absolute_uri(
            reverse("comparisons:compare-shared", args=[visitor_list.share_key])
        )
    return render(request, "comparisons/compare_list.html", context)


def _shared_slugs(key):
    """The slugs of a shared key; Http404 for a key no comparison can have."""
    slugs = compare.split_key(key)
    unique = set(slugs)
    if not 2 <= len(unique) <= settings.COMPARE_MAX or len(slugs) > 4 * settings.COMPARE_MAX:
        raise Http404(f"No such comparison: it needs 2 to {settings.COMPARE_MAX} devices.")
    return slugs


def _shared_table(request, key, slugs, only):
    """{"names", "table"} for a shared key, rendered once per content version; None if a
    slug is unknown. Cache hits run no query."""

    def render_table():
        devices = compare.devices_for_slugs(slugs)
        if devices is None:
            return None
        html = render_to_string(
            "comparisons/compare_table.html",
            {
                "table": compare.build_table(devices, only),
                "editable": False,
                "base_url": reverse("comparisons:compare-shared", args=[key]),
            },
        )
        return {"names": [d.name for d in devices], "table": html}

    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"compare-shared:{digest}:{int(only)}:{content_version()}"
    return get_or_compute(cache_key, render_table, timeout=24 * 3600)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def compare_shared(request, key):
    slugs = _shared_slugs(key)
    canonical = compare.canonical_key(slugs)
    if key != canonical:
        url = reverse("comparisons:compare-shared", args=[canonical])
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{url}?{query}" if query else url, permanent=True)
    if request.method == "POST":
        return _use_shared(request, slugs)
    response = _shared_page(request, key, slugs)
    if request.method == "GET" and response.status_code == 200 and not _partial(request):
        record_view(request, key)
    return response


@cache_public_page(params=["only"])
def _shared_page(request, key, slugs):
    only = request.GET.get("only") == "differences"
    shared = _shared_table(request, key, slugs, only)
    if shared is None:
        raise Http404("One of these devices does not exist.")
    context = {
        "key": key,
        "names": shared["names"],
        "table_html": shared["table"],
        "canonical_url": request.build_absolute_uri(request.path),
    }
    if _partial(request):
        return render(request, "comparisons/compare_shared.html#table", context)
    return render(request, "comparisons/compare_shared.html", context)


def _use_shared(request, slugs):
    """ "Compare these in my list": the visitor's list becomes these devices."""
    devices = compare.devices_for_slugs(slugs)
    if devices is None:
        raise Http404("One of these devices does not exist.")
    change = compare.replace(compare.get_token(request), devices)
    messages.success(request, f"Your compare list now holds {len(devices)} devices.")
    response = redirect("comparisons:compare")
    response.status_code = 303
    compare.set_cookie(response, change.visitor_list.token)
    return response
