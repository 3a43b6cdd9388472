"""The add-to-compare / remove button beside every listed device, written in Python: a
search page lists ten and the widget eight, and as an included template each button took
0.1 ms a render, a sixth of the widget's answer.

Every copy on a page carries ``data-compare-button`` so an htmx answer can update them all
out of band (htmx 2 swaps every element the oob selector matches); ``oob`` marks such an
update. ``next`` is the page the button sits on; in a card (``in_card``) it ends with the
card's anchor, so that a plain post comes back to the card rather than to the top of the
page.
"""

from dataclasses import dataclass

from django.utils.html import format_html

FORM = (
    '<form class="compare-button" method="post" action="{}" data-compare-button="{}"'
    ' hx-post="{}" hx-target="#compare-widget" hx-swap="outerHTML"{}>{}'
    '<input type="hidden" name="device" value="{}">'
    '<input type="hidden" name="next" value="{}">{}</form>'
)
OOB = " hx-swap-oob=\"outerHTML:[data-compare-button='{}']\""
# What Django's {% csrf_token %} writes.
TOKEN = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
ADD = (
    '<button type="submit" class="button button--quiet button--small"'
    ' aria-label="Add {}{} to your compare list">+ Compare</button>'
)
REMOVE = (
    '<button type="submit" class="button button--added button--small"'
    ' aria-label="Remove {}{} from your compare list">Added ✓ · Remove</button>'
)


@dataclass
class CompareButton:
    device: object
    added: bool  # whether the device is in the visitor's list
    action: str  # where the form posts: the add or the remove view
    token: str  # the CSRF token ("" or "NOTPROVIDED": none, as {% csrf_token %})
    next: str
    in_card: bool = False
    oob: bool = False

    def __html__(self):
        device = self.device
        slug = device.slug
        distinguisher = getattr(device, "distinguisher", "")
        label = format_html(" ({})", distinguisher) if distinguisher else ""
        button = format_html(REMOVE if self.added else ADD, device.name, label)
        token = self.token
        token = format_html(TOKEN, token) if token and token != "NOTPROVIDED" else ""
        next_url = f"{self.next}#device-{slug}" if self.in_card else self.next
        oob = format_html(OOB, slug) if self.oob else ""
        return format_html(FORM, self.action, slug, self.action, oob, token, slug, next_url, button)


def for_context(context, device, in_card=False, oob=False):
    """``device``'s button as a template context has it: the visitor's list (``compare``),
    the add and remove URLs, the CSRF token, and the page it sits on (``next_url``, else
    ``page_path``)."""
    added = device in context["compare"]
    return CompareButton(
        device,
        added,
        context["compare_remove_url" if added else "compare_add_url"],
        str(context.get("csrf_token") or ""),
        context.get("next_url") or context.get("page_path") or "",
        in_card,
        oob,
    )
