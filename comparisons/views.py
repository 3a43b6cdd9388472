"""The compare list: change it (add, remove, clear, undo), find devices for it, show it.

Changes answer htmx with the widget plus out-of-band copies of everything else that shows
the list: every add/remove button of the devices involved, the nav badge, the phone bar,
the feedback shown beside the control used (with its Undo form); the table of /compare/
fetches itself again on the event the answer sends. Plain form posts get a 303 back and a
message (with the Undo form after remove, clear and "Compare these in my list"). Errors
answer htmx with status 200 and the error in the feedback and the widget, because htmx 2
does not swap 4xx responses unless configured to; plain posts get a real 400 or 404 page.
Undo forms are answers to a POST, never part of a page the page cache keeps.
"""

import hashlib
import logging
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from catalog import outlines
from catalog import search as device_search
from catalog.models import Device
from catalog.specs import spec_text
from core import cards, images
from core.content import content_version, get_or_compute
from core.http import HTMX_PARTIAL_HEADERS, is_htmx_partial
from core.pagecache import cache_public_page

from . import compare, table
from .popular import record_view

logger = logging.getLogger(__name__)

FIND_LIMIT = 8
# A message that carries an Undo form has this prefix and the snapshot as its extra tags.
UNDO_TAG = "undo:"
# The htmx event a change answer sends, and the region of /compare/ that listens to it.
LIST_CHANGED = "compare-changed"
LIST_BODY = "compare-list-body"


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


def _list_context(request, visitor_list, only):
    """What /compare/ shows of a list: the table, the share link, the devices' news."""
    devices = table.with_table_specs(list(visitor_list.devices))
    context = {
        "table": table.build_table(devices, only) if devices else None,
        "editable": True,
        "base_url": reverse("comparisons:compare"),
        "compared": devices,
    }
    if visitor_list.share_key:
        url = reverse("comparisons:compare-shared", args=[visitor_list.share_key])
        # The shared page opens as this one shows the table.
        context["share_url"] = request.build_absolute_uri(
            f"{url}?only=differences" if only else url
        )
    return context


def _widget(request, visitor_list, *, status="", error="", touched=(), undo=""):
    """The htmx answer: the widget, and out of band everything else that shows the list.

    The table of /compare/ redraws itself on the ``compare-changed`` event this sends
    (a GET of its own: a change answer stays within the query budget).
    """
    request.compare_list = visitor_list
    page_url = _page_url(request)
    context = {
        "compare_status": status,
        "compare_error": error,
        "compare_undo": undo,
        "oob_devices": touched,
        "next_url": page_url,
        "on_list_page": urlsplit(page_url).path == reverse("comparisons:compare"),
    }
    response = render(request, "comparisons/compare_changed.html", context)
    if not error:
        response["HX-Trigger"] = LIST_CHANGED
    return response


def _refused(request, title, text, status):
    """A request we cannot act on: the error in the widget for htmx, else an error page."""
    if request.htmx:
        return _widget(request, compare.load(request), error=text)
    context = {"title": title, "text": text}
    return render(request, "comparisons/compare_error.html", context, status=status)


def _device_from_post(request):
    """(device, None) or (None, error response) for the ``device`` field."""
    slug = request.POST.get("device", "").strip()
    if not slug:
        text = "No device was chosen: the form sent no device."
        return None, _refused(request, "No device chosen", text, 400)
    device = Device.objects.with_related().filter(slug=slug[:200]).first()
    if device is None:
        text = f"We could not find a device called “{slug[:200]}”. It may have been removed."
        return None, _refused(request, "Device not found", text, 404)
    return device, None


def _answer(request, change, text, undo=False):
    """Answer a change: the widget for htmx, else a message and a 303 back.

    With ``undo``, a change that changed something comes with an Undo form holding the
    list as it was.
    """
    snapshot = compare.snapshot(change.before) if undo and change.changed else ""
    if request.htmx:
        response = _widget(
            request,
            change.visitor_list,
            status="" if change.error else text,
            error=change.error,
            touched=change.touched,
            undo=snapshot,
        )
    else:
        if change.error:
            messages.error(request, change.error)
        else:
            messages.success(request, text, extra_tags=UNDO_TAG + snapshot if snapshot else "")
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
    return _answer(request, change, text, undo=True)


@require_POST
def compare_clear(request):
    change = compare.clear(compare.get_token(request))
    text = "Your compare list is now empty." if change.changed else "Your list was already empty."
    return _answer(request, change, text, undo=True)


@require_POST
def compare_undo(request):
    """Put the list back as a snapshot from an Undo form says, discarding later changes."""
    try:
        slugs = compare.read_snapshot(request.POST.get("snapshot", ""))
    except signing.SignatureExpired:
        minutes = compare.UNDO_MAX_AGE // 60
        text = f"Undo is no longer possible: it lasts {minutes} minutes after a change."
        return _answer(request, compare.Change(compare.load(request), False, error=text), "")
    except signing.BadSignature:
        text = "This undo form is damaged or was not made by Specwise, so it cannot be used."
        return _refused(request, "Cannot undo", text, 400)
    change = compare.restore(compare.get_token(request), slugs)
    count = len(change.visitor_list.devices)
    if count:
        text = f"Undone: your compare list is back to {count} device{'s' if count > 1 else ''}."
    else:
        text = "Undone: your compare list is empty again."
    return _answer(request, change, text)


@require_safe
@vary_on_headers(*HTMX_PARTIAL_HEADERS)
def compare_find(request):
    query = request.GET.get("q", "").strip()[:100]
    found = device_search.find(query, FIND_LIMIT) if query else None
    context = {
        "find_query": query,
        "found": found.devices if found else [],
        "found_count": found.count if found else 0,
        "found_more": found.more if found else 0,
        "found_all_url": found.all_url if found else "",
        "suggestion": found.suggestion if found else None,
    }
    if is_htmx_partial(request):
        context["next_url"] = _page_url(request)
        return render(request, "comparisons/compare_find.html#results", context)
    return render(request, "comparisons/compare_find.html", context)


@require_safe
@vary_on_headers(*HTMX_PARTIAL_HEADERS, "HX-Target")
def compare_list(request):
    visitor_list = compare.load(request)
    request.compare_list = visitor_list
    if is_htmx_partial(request) and request.htmx.target == LIST_BODY:
        # The list changed on this page: its table, as the page shows it now.
        page_url = _page_url(request)
        only = parse_qs(urlsplit(page_url).query).get("only") == ["differences"]
        context = {**_list_context(request, visitor_list, only), "next_url": page_url}
        return render(request, "comparisons/compare_list.html#body", context)
    only = request.GET.get("only") == "differences"
    context = _list_context(request, visitor_list, only)
    if context["table"] and is_htmx_partial(request):
        # The share link follows the table's choice of rows (out of band).
        context["oob_share"] = True
        return render(request, "comparisons/compare_list.html#table", context)
    if visitor_list.share_key and request.method == "GET" and not is_htmx_partial(request):
        record_view(request, visitor_list.share_key)
    return render(request, "comparisons/compare_list.html", context)


def _shared_table(request, key, slugs, only):
    """{"names", "pks", "table"} for a shared key, rendered once per content version; None if a
    slug is unknown. Cache hits run no query."""

    def render_table():
        devices = table.devices_for_slugs(slugs)
        if devices is None:
            return None
        html = render_to_string(
            "comparisons/compare_table.html",
            {
                "table": table.build_table(devices, only),
                "editable": False,
                "base_url": reverse("comparisons:compare-shared", args=[key]),
            },
        )
        return {"names": [d.name for d in devices], "pks": [d.pk for d in devices], "table": html}

    digest = hashlib.sha256(key.encode()).hexdigest()
    # "v2": tables with reasons and carried chip values; older cached tables are not reused.
    cache_key = f"compare-shared:v3:{digest}:{int(only)}:{content_version()}"
    return get_or_compute(cache_key, render_table, timeout=24 * 3600)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers(*HTMX_PARTIAL_HEADERS)
def compare_shared(request, key):
    slugs = compare.shared_slugs(key)
    canonical = compare.canonical_key(slugs)
    if key != canonical:
        url = reverse("comparisons:compare-shared", args=[canonical])
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{url}?{query}" if query else url, permanent=True)
    if request.method == "POST":
        return _use_shared(request, slugs)
    response = _shared_page(request, key, slugs)
    if request.method == "GET" and response.status_code == 200 and not is_htmx_partial(request):
        record_view(request, key)
    return response


@cache_public_page(params=["only"])
def _shared_page(request, key, slugs):
    only = request.GET.get("only") == "differences"
    shared = _shared_table(request, key, slugs, only)
    if shared is None:
        raise Http404("One of these devices does not exist.")
    if is_htmx_partial(request):
        context = {"table_html": shared["table"]}
        return render(request, "comparisons/compare_shared.html#table", context)
    # Ids, not a subquery: with one, SQLite walks every story by date instead of the links.
    compared = shared["pks"]
    context = {
        "key": key,
        "names": shared["names"],
        "table_html": shared["table"],
        "canonical_url": request.build_absolute_uri(request.path),
        "compared": compared,
    }
    return render(request, "comparisons/compare_shared.html", context)


def _use_shared(request, slugs):
    """ "Compare these in my list": the visitor's list becomes these devices."""
    devices = table.devices_for_slugs(slugs)
    if devices is None:
        raise Http404("One of these devices does not exist.")
    change = compare.replace(compare.get_token(request), devices)
    text = f"Your compare list now holds {len(devices)} devices."
    messages.success(request, text, extra_tags=UNDO_TAG + compare.snapshot(change.before))
    response = redirect("comparisons:compare")
    response.status_code = 303
    compare.set_cookie(response, change.visitor_list.token)
    return response


# Share cards (og:image): drawn on the first request, stored, bounded (see core.cards).


def share_panel(device, fields=None):
    """``device`` (loaded with ``with_key_specs()``) as a share card shows it: its main
    photo or its outline, and its key rows (those of ``fields`` if given, in that order)."""
    specs = {spec.field_id: spec for spec in device.key_specs}
    if fields is None:
        rows = [(spec.field.name, spec_text(spec)) for spec in specs.values()]
    else:
        rows = [
            (field.name, spec_text(specs[field.pk]) if field.pk in specs else "—")
            for field in fields
        ]
    photo = images.copy_name(device.image.name, 640, "jpg") if device.image else ""
    return cards.Panel(
        name=device.name,
        subtitle=f"{device.brand.name} · {device.category.name}",
        photo=photo,
        outline=None if photo else outlines.outline_of(device),
        rows=rows[:3],
    )


def _shared_rows(devices, count=3):
    """The ``count`` key fields most of ``devices`` have a value for, in sheet order."""
    fields, holders = {}, {}
    for device in devices:
        for spec in device.key_specs:
            fields.setdefault(spec.field_id, spec.field)
            holders[spec.field_id] = holders.get(spec.field_id, 0) + 1
    chosen = sorted(fields, key=lambda pk: -holders[pk])[:count]
    return [fields[pk] for pk in fields if pk in chosen]


@require_safe
def comparison_card(request, key):
    """The 1200 × 630 card of a comparison, redrawn only when what it shows changes."""
    slugs = compare.shared_slugs(key)
    canonical = compare.canonical_key(slugs)
    if key != canonical:
        return redirect("comparisons:compare-card", canonical, permanent=True)
    unique = canonical.split(compare.KEY_SEPARATOR)
    found = {d.slug: d for d in Device.objects.with_key_specs().filter(slug__in=unique)}
    if len(found) != len(unique):
        raise Http404("One of these devices does not exist.")
    devices = [found[slug] for slug in unique]
    fields = _shared_rows(devices)
    panels, title = [share_panel(d, fields) for d in devices], "Side by side"
    stamp = cards.panels_stamp(panels, title)
    card = cards.stored_card(
        "compare", canonical, stamp, lambda: cards.draw_panels(panels, title), capped=True
    )
    return cards.response(card)


@require_safe
def device_card(request, slug):
    """A device's card, for its page's og:image when it has no photo."""
    device = Device.objects.with_key_specs().filter(slug=slug).first()
    if device is None:
        raise Http404("No such device.")
    panels, title = [share_panel(device)], "Specs"
    stamp = cards.panels_stamp(panels, title)
    card = cards.stored_card("device", slug, stamp, lambda: cards.draw_panels(panels, title))
    return cards.response(card)
