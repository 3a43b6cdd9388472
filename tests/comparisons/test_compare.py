"""The compare list: adding, removing, clearing, with and without htmx."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.http import Http404
from django.test import Client
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from comparisons import compare
from comparisons.models import CompareItem, CompareList
from tests.factories import BrandFactory, DeviceFactory

ADD = reverse("comparisons:compare-add")
REMOVE = reverse("comparisons:compare-remove")
CLEAR = reverse("comparisons:compare-clear")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def devices():
    return [DeviceFactory(name=f"Phone {i}") for i in range(6)]


def token_of(client):
    """The token the client's compare cookie carries (None if unsigned or tampered)."""
    return compare.read_token(client.cookies[settings.COMPARE_COOKIE_NAME].value)


def listed(client):
    """Slugs in the client's list, in order, as the widget shows them."""
    token = token_of(client)
    return [
        item.device.slug
        for item in CompareItem.objects.filter(compare_list__token=token).order_by("added_at", "pk")
    ]


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def by_id(html, element_id):
    """The element ``element_id`` of ``html`` as parsed (attributes, children), or None."""
    stack = [parse_html(html)]
    while stack:
        element = stack.pop()
        if isinstance(element, str):
            continue
        if dict(element.attributes).get("id") == element_id:
            return element
        stack.extend(element.children)
    return None


def oob(response, element_id):
    """The out-of-band element ``element_id`` of an htmx answer, as HTML."""
    element = by_id(response.text, element_id)
    assert element is not None and "hx-swap-oob" in dict(element.attributes), element_id
    return str(element)


def widget(response):
    return str(by_id(response.text, "compare-widget"))


def widget_names(response):
    """The devices the widget lists, in order."""
    return re.findall(r'aria-label="Remove (.*?) from your compare list"', widget(response))


def feedback(response):
    return oob(response, "compare-feedback")


def test_add_keeps_the_order_added(client, devices):
    for device in (devices[2], devices[0], devices[1]):
        client.post(ADD, {"device": device.slug})
    assert listed(client) == [devices[2].slug, devices[0].slug, devices[1].slug]


def test_plain_add_redirects_303_with_a_message(client, devices):
    response = client.post(ADD, {"device": devices[0].slug, "next": "/devices/"}, follow=False)
    assert response.status_code == 303
    assert response["Location"] == "/devices/"
    page = client.get(reverse("comparisons:compare"))
    assert f"Added {devices[0].name} to your compare list." in messages_of(page)


def test_first_add_sets_a_long_lived_httponly_lax_cookie(client, devices):
    response = client.post(ADD, {"device": devices[0].slug})
    cookie = response.cookies[settings.COMPARE_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert not cookie["secure"]


def test_cookie_is_secure_when_configured(client, devices, settings):
    settings.COMPARE_COOKIE_SECURE = True
    response = client.post(ADD, {"device": devices[0].slug})
    assert response.cookies[settings.COMPARE_COOKIE_NAME]["secure"]


def test_duplicates_are_ignored(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(ADD, {"device": devices[0].slug}, follow=True)
    assert listed(client) == [devices[0].slug]
    assert f"{devices[0].name} is already in your compare list." in messages_of(response)


def test_full_list_is_unchanged_and_says_why(client, devices, settings):
    settings.COMPARE_MAX = 4
    for device in devices[:4]:
        client.post(ADD, {"device": device.slug})
    response = client.post(ADD, {"device": devices[4].slug}, follow=True)
    assert listed(client) == [d.slug for d in devices[:4]]
    assert any("Your compare list is full (4 devices)" in m for m in messages_of(response))


def test_full_list_error_shows_in_the_widget_with_htmx(client, devices, settings):
    settings.COMPARE_MAX = 2
    client.post(ADD, {"device": devices[0].slug})
    client.post(ADD, {"device": devices[1].slug})
    response = client.post(ADD, {"device": devices[2].slug}, **HTMX)
    assert response.status_code == 200
    assert "Your compare list is full (2 devices)" in widget(response)
    # Shown beside the button tapped, and read out (compare.js) from data-message.
    assert "Your compare list is full (2 devices)" in feedback(response)
    assert "compare-feedback__box--error" in feedback(response)
    assert listed(client) == [devices[0].slug, devices[1].slug]


def test_unknown_device_is_a_404_page_and_changes_nothing(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(ADD, {"device": "no-such-phone"})
    assert response.status_code == 404
    assert "Device not found" in response.text
    assert "no-such-phone" in response.text
    assert listed(client) == [devices[0].slug]


def test_unknown_device_with_htmx_shows_the_error_in_the_widget(client, devices):
    response = client.post(ADD, {"device": "no-such-phone"}, **HTMX)
    assert response.status_code == 200
    assert 'id="compare-widget"' in response.text
    assert "could not find a device called “no-such-phone”" in response.text


def test_missing_field_is_a_400_with_a_plain_message(client):
    response = client.post(ADD, {})
    assert response.status_code == 400
    assert "No device was chosen" in response.text


def test_missing_field_with_htmx_shows_the_error_in_the_widget(client):
    response = client.post(REMOVE, {}, **HTMX)
    assert response.status_code == 200
    assert "No device was chosen" in widget(response)
    assert 'data-message="No device was chosen: the form sent no device."' in response.text


@pytest.mark.parametrize("url", [ADD, REMOVE, CLEAR])
def test_changes_need_a_csrf_token(devices, url):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"device": devices[0].slug})
    assert response.status_code == 403


@pytest.mark.parametrize("url", [ADD, REMOVE, CLEAR])
def test_changes_are_post_only(client, url):
    assert client.get(url).status_code == 405


def test_htmx_add_returns_the_widget_and_oob_buttons(client, devices):
    response = client.post(ADD, {"device": devices[1].slug}, **HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<section id="compare-widget"')
    assert f'<a href="{devices[1].get_absolute_url()}">{devices[1].name}</a>' in html
    oob = f"hx-swap-oob=\"outerHTML:[data-compare-button='{devices[1].slug}']\""
    assert html.count(oob) == 1
    # The redrawn button now removes, and goes back to the page it sits on.
    assert f'aria-label="Remove {devices[1].name} from your compare list">Added ✓' in html
    assert '<input type="hidden" name="next" value="/">' in html
    assert response.cookies[settings.COMPARE_COOKIE_NAME].value


def test_htmx_remove_redraws_the_button_as_add(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(REMOVE, {"device": devices[0].slug}, **HTMX)
    html = response.text
    assert f"[data-compare-button='{devices[0].slug}']" in html
    assert f'aria-label="Add {devices[0].name} to your compare list"' in html
    assert listed(client) == []


def test_htmx_clear_redraws_every_previously_listed_button(client, devices):
    for device in devices[:3]:
        client.post(ADD, {"device": device.slug})
    response = client.post(CLEAR, {}, **HTMX)
    for device in devices[:3]:
        assert f"hx-swap-oob=\"outerHTML:[data-compare-button='{device.slug}']\"" in response.text
    assert f"[data-compare-button='{devices[3].slug}']" not in response.text
    assert listed(client) == []


def test_htmx_change_on_the_compare_page_redraws_its_table(client, devices):
    for device in devices[:3]:
        client.post(ADD, {"device": device.slug})
    page_url = "http://testserver/compare/?only=differences"
    headers = {**HTMX, "HTTP_HX_CURRENT_URL": page_url}
    response = client.post(REMOVE, {"device": devices[0].slug}, **headers)
    assert "HX-Refresh" not in response
    # The table listens for this event and fetches itself again, as the page shows it.
    assert response["HX-Trigger"] == "compare-changed"
    assert 'hx-trigger="compare-changed from:body"' in client.get("/compare/").text
    # The phone bar stays hidden on /compare/ itself.
    assert " hidden" in oob(response, "compare-bar").split(">")[0]
    response = client.get("/compare/", HTTP_HX_TARGET="compare-list-body", **headers)
    body = response.text
    assert body.lstrip().startswith('<div id="compare-list-body"')
    columns = re.findall(
        r'<th[^>]*compare-table__device[^>]*>.*?<a href="[^"]+">([^<]+)<', body, re.S
    )
    assert columns == [devices[1].name, devices[2].name]
    assert "Show all rows" in body
    assert '<input type="hidden" name="next" value="/compare/?only=differences">' in body


def test_a_refused_change_sends_no_change_event(client, devices, settings):
    settings.COMPARE_MAX = 2
    for device in devices[:2]:
        client.post(ADD, {"device": device.slug})
    response = client.post(ADD, {"device": devices[2].slug}, **HTMX)
    assert "HX-Trigger" not in response


def test_htmx_change_elsewhere_shows_the_phone_bar(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(ADD, {"device": devices[1].slug}, **HTMX)
    assert " hidden" not in oob(response, "compare-bar").split(">")[0]


def test_remove_and_clear(client, devices):
    for device in devices[:3]:
        client.post(ADD, {"device": device.slug})
    response = client.post(REMOVE, {"device": devices[1].slug}, follow=True)
    assert listed(client) == [devices[0].slug, devices[2].slug]
    assert f"Removed {devices[1].name} from your compare list." in messages_of(response)
    response = client.post(CLEAR, follow=True)
    assert listed(client) == []
    assert "Your compare list is now empty." in messages_of(response)


def test_removing_a_device_not_in_the_list_says_so(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(REMOVE, {"device": devices[1].slug}, follow=True)
    assert f"{devices[1].name} is not in your compare list." in messages_of(response)
    assert listed(client) == [devices[0].slug]


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "http://evil.example", "javascript:alert(1)"],
)
def test_next_never_redirects_off_site(client, devices, next_url):
    response = client.post(ADD, {"device": devices[0].slug, "next": next_url})
    assert response.status_code == 303
    assert response["Location"] == reverse("comparisons:compare")


def test_without_next_the_referer_is_used_if_on_site(client, devices):
    response = client.post(
        ADD, {"device": devices[0].slug}, HTTP_REFERER="http://testserver/devices/?page=2"
    )
    assert response["Location"] == "http://testserver/devices/?page=2"
    response = client.post(ADD, {"device": devices[1].slug}, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == reverse("comparisons:compare")


def test_deleted_device_is_told_once(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    client.post(ADD, {"device": devices[1].slug})
    name = devices[0].name
    devices[0].delete()
    first = client.get(reverse("comparisons:compare"))
    assert f"{name} is no longer available" in first.text
    assert [d.slug for d in first.context["compare"].devices] == [devices[1].slug]
    second = client.get(reverse("comparisons:compare"))
    assert "is no longer available" not in second.text


def test_list_survives_login_and_logout(client, devices):
    User.objects.create_user("reader", password="a-long-password-1", is_staff=True)
    client.post(ADD, {"device": devices[0].slug})
    client.post(ADD, {"device": devices[1].slug})
    client.get("/admin/login/")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "reader", "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    page = client.get(reverse("comparisons:compare"))
    assert [d.slug for d in page.context["compare"].devices] == [devices[0].slug, devices[1].slug]
    client.post("/admin/logout/")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("comparisons:compare"))
    assert [d.slug for d in page.context["compare"].devices] == [devices[0].slug, devices[1].slug]


def test_a_malformed_cookie_is_ignored(client, devices):
    client.cookies[settings.COMPARE_COOKIE_NAME] = "../../etc/passwd"
    response = client.get(reverse("comparisons:compare"))
    assert response.status_code == 200
    client.post(ADD, {"device": devices[0].slug})
    assert len(token_of(client)) == 43
    assert listed(client) == [devices[0].slug]


def test_the_cookie_holds_the_token_signed(client, devices):
    response = client.post(ADD, {"device": devices[0].slug})
    value = response.cookies[settings.COMPARE_COOKIE_NAME].value
    token = CompareList.objects.get().token
    assert value == compare.sign_token(token)
    assert value != token


@pytest.mark.parametrize(
    "forged",
    [
        "a" * 43,
        compare.new_token(),
        "a" * 43 + ":" + "b" * 43,
        signing.Signer(salt="another.cookie").sign("a" * 43),
    ],
)
def test_a_made_up_token_is_not_adopted(client, devices, forged):
    client.cookies[settings.COMPARE_COOKIE_NAME] = forged
    response = client.post(ADD, {"device": devices[0].slug})
    token = compare.read_token(response.cookies[settings.COMPARE_COOKIE_NAME].value)
    assert token and token not in forged
    assert listed(client) == [devices[0].slug]
    assert list(CompareList.objects.values_list("token", flat=True)) == [token]


def test_another_visitors_token_with_a_changed_signature_is_refused(devices):
    owner, intruder = Client(), Client()
    owner.post(ADD, {"device": devices[0].slug})
    value = owner.cookies[settings.COMPARE_COOKIE_NAME].value
    token, signature = value.split(":")
    tampered = f"{token}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    intruder.cookies[settings.COMPARE_COOKIE_NAME] = tampered
    page = intruder.get(reverse("comparisons:compare"))
    assert list(page.context["compare"].devices) == []
    intruder.post(ADD, {"device": devices[1].slug})
    assert token_of(intruder) != token
    assert listed(owner) == [devices[0].slug]
    assert listed(intruder) == [devices[1].slug]


def test_a_genuine_token_whose_list_is_gone_is_accepted_again(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    token = token_of(client)
    CompareList.objects.all().delete()
    response = client.post(ADD, {"device": devices[1].slug})
    assert compare.read_token(response.cookies[settings.COMPARE_COOKIE_NAME].value) == token
    assert CompareList.objects.get().token == token
    assert listed(client) == [devices[1].slug]


def test_clearing_the_list_leaves_no_row(client, devices):
    for device in devices[:3]:
        client.post(ADD, {"device": device.slug})
    client.post(CLEAR)
    assert not CompareList.objects.exists()
    assert not CompareItem.objects.exists()
    client.post(ADD, {"device": devices[4].slug})
    assert listed(client) == [devices[4].slug]


def test_removing_the_last_device_leaves_no_row(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    client.post(ADD, {"device": devices[1].slug})
    client.post(REMOVE, {"device": devices[0].slug})
    assert CompareList.objects.count() == 1
    client.post(REMOVE, {"device": devices[1].slug})
    assert not CompareList.objects.exists()


def test_removing_or_clearing_without_a_row_creates_none(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    client.post(CLEAR)
    response = client.post(REMOVE, {"device": devices[0].slug}, follow=True)
    assert f"{devices[0].name} is not in your compare list." in messages_of(response)
    response = client.post(CLEAR, follow=True)
    assert "Your list was already empty." in messages_of(response)
    assert not CompareList.objects.exists()


def test_a_list_left_with_only_deleted_devices_loses_its_row(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    client.post(ADD, {"device": devices[1].slug})
    devices[0].delete()
    client.post(REMOVE, {"device": devices[1].slug})
    assert not CompareList.objects.exists()


def age_lists(days=30):
    """Make every list look untouched for ``days`` days; returns that moment."""
    then = timezone.now() - timedelta(days=days)
    CompareList.objects.update(updated_at=then)
    return then


def test_adding_updates_updated_at(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    then = age_lists()
    client.post(ADD, {"device": devices[1].slug})
    assert CompareList.objects.get().updated_at > then


def test_removing_and_replacing_update_updated_at(devices):
    token = compare.add(None, devices[0]).visitor_list.token
    compare.add(token, devices[1])
    then = age_lists()
    compare.remove(token, devices[0])
    assert CompareList.objects.get().updated_at > then
    then = age_lists()
    compare.replace(token, devices[2:4])
    assert CompareList.objects.get().updated_at > then


def test_changing_nothing_leaves_updated_at_alone(devices):
    token = compare.add(None, devices[0]).visitor_list.token
    then = age_lists()
    compare.add(token, devices[0])
    compare.remove(token, devices[1])
    assert CompareList.objects.get().updated_at == then


def test_widget_lists_devices_with_remove_buttons_and_compare_link(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    client.post(ADD, {"device": devices[1].slug})
    response = client.get(reverse("comparisons:compare-find"))
    html = response.text
    assert "Compare 2 devices" in html
    assert f'aria-label="Remove {devices[1].name} from your compare list">✕' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html


def test_find_matches_name_and_brand_case_insensitive(client):
    brand = BrandFactory(name="Acme")
    DeviceFactory(name="Rocket Phone", brand=brand)
    DeviceFactory(name="Other Thing")
    DeviceFactory(name="Pocket rocket")
    response = client.get(reverse("comparisons:compare-find"), {"q": "ROCKET"})
    # Best match first: the name that starts with the word, then the one that holds it.
    assert [d.name for d in response.context["found"]] == ["Rocket Phone", "Pocket rocket"]
    response = client.get(reverse("comparisons:compare-find"), {"q": "acme"})
    assert [d.name for d in response.context["found"]] == ["Rocket Phone"]
    assert 'aria-label="Add Rocket Phone to your compare list"' in response.text


def test_find_shows_at_most_eight(client):
    for i in range(12):
        DeviceFactory(name=f"Gizmo {i:02d}")
    response = client.get(reverse("comparisons:compare-find"), {"q": "gizmo"})
    assert len(response.context["found"]) == 8


def test_find_with_htmx_returns_only_the_results(client):
    DeviceFactory(name="Rocket Phone")
    response = client.get(reverse("comparisons:compare-find"), {"q": "rocket"}, **HTMX)
    assert "<html" not in response.text
    assert "Rocket Phone" in response.text
    assert '<input type="hidden" name="next" value="/">' in response.text


@pytest.mark.parametrize("query", ["'\"%_", "x" * 5000])
def test_find_survives_odd_input(client, query):
    response = client.get(reverse("comparisons:compare-find"), {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["\x00", "a\x00b"])
def test_find_refuses_nul(client, query):
    response = client.get(reverse("comparisons:compare-find"), {"q": query})
    assert response.status_code == 400


def test_change_functions_report_what_happened(devices):
    change = compare.add(None, devices[0])
    assert change.changed and change.visitor_list.token
    token = change.visitor_list.token
    assert not compare.add(token, devices[0]).changed
    assert compare.remove(token, devices[0]).changed
    assert not compare.remove(token, devices[0]).changed
    assert not compare.remove(None, devices[0]).changed
    assert not compare.clear(None).changed
    assert not CompareList.objects.exists()
    change = compare.replace(token, devices[1:3])
    assert change.changed and change.visitor_list.token == token
    assert CompareList.objects.get().token == token
    assert compare.clear(token).changed
    assert not CompareList.objects.exists()


def test_only_tokens_we_signed_are_read():
    token = compare.new_token()
    assert compare.read_token(compare.sign_token(token)) == token
    assert compare.read_token(token) is None
    assert compare.read_token("") is None
    assert compare.read_token(compare.sign_token("short")) is None
    assert compare.read_token(compare.sign_token(token) + "x") is None


@pytest.mark.parametrize("url", [ADD, REMOVE])
def test_change_responses_stay_in_the_query_budget(
    client, devices, url, django_assert_max_num_queries
):
    for device in devices[:3]:
        client.post(ADD, {"device": device.slug})
    with django_assert_max_num_queries(8):
        response = client.post(url, {"device": devices[3].slug}, **HTMX)
    assert response.status_code == 200
    shown = devices[:4] if url == ADD else devices[:3]
    assert f"{len(shown)} of {settings.COMPARE_MAX}" in widget(response)
    assert [d.name for d in shown] == widget_names(response)
    with django_assert_max_num_queries(8):
        response = client.post(url, {"device": devices[1].slug})
    assert response.status_code == 303
    assert listed(client) == [d.slug for d in shown if url == ADD or d != devices[1]]


def test_clear_and_first_add_stay_in_the_query_budget(
    client, devices, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.post(ADD, {"device": devices[0].slug}, **HTMX)
    assert response.status_code == 200
    assert widget_names(response) == [devices[0].name]
    with django_assert_max_num_queries(8):
        response = client.post(CLEAR, {}, **HTMX)
    assert response.status_code == 200
    assert widget_names(response) == []
    assert f"0 of {settings.COMPARE_MAX}" in widget(response)


# Everything that shows the list changes with it.


def test_htmx_answers_update_the_nav_badge_and_the_phone_bar(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(ADD, {"device": devices[1].slug}, **HTMX)
    badge = oob(response, "compare-count")
    assert re.search(r">\s*2\s*<", badge)
    assert " hidden" not in badge.split(">")[0]
    assert "Compare (2)" in oob(response, "compare-bar")
    response = client.post(CLEAR, {}, **HTMX)
    assert " hidden" in oob(response, "compare-count").split(">")[0]
    assert " hidden" in oob(response, "compare-bar").split(">")[0]


def test_the_nav_badge_and_bar_show_the_count_on_every_page(client, devices, give_list):
    page = client.get(reverse("catalog:device-list")).text
    assert re.search(r'<span id="compare-count" class="badge" hidden>', page)
    give_list(client, devices[:3])
    page = client.get(reverse("catalog:device-list")).text
    assert re.search(r'<span id="compare-count" class="badge">3<', page)
    assert "Compare (3)</a>" in page


def test_htmx_answers_empty_the_flash_messages_and_tell_what_happened(client, devices):
    response = client.post(ADD, {"device": devices[0].slug}, **HTMX)
    assert by_id(response.text, "site-messages").children == []
    assert 'data-message="Added Phone 0 to your compare list."' in feedback(response)
    # An add has nothing to undo.
    assert "compare-undo" not in feedback(response)


# Undo after remove, clear and "Compare these in my list".

UNDO = reverse("comparisons:compare-undo")


def snapshot_in(html):
    found = re.search(r'name="snapshot"[^>]*?value="([^"]+)"', html)
    assert found, "no Undo form"
    return found.group(1)


def test_htmx_remove_offers_undo_that_puts_the_device_back_in_its_place(client, devices):
    for device in devices[:3]:
        client.post(ADD, {"device": device.slug})
    response = client.post(REMOVE, {"device": devices[1].slug}, **HTMX)
    assert listed(client) == [devices[0].slug, devices[2].slug]
    form = feedback(response)
    assert 'action="/compare/undo/"' in form and 'hx-post="/compare/undo/"' in form
    response = client.post(UNDO, {"snapshot": snapshot_in(form)}, **HTMX)
    assert listed(client) == [d.slug for d in devices[:3]]
    assert "Undone: your compare list is back to 3 devices." in feedback(response)
    assert re.search(r">\s*3\s*<", oob(response, "compare-count"))
    # The buttons of every device involved are redrawn.
    assert f"[data-compare-button='{devices[1].slug}']" in response.text


def test_undo_discards_changes_made_after_it(client, devices):
    for device in devices[:3]:
        client.post(ADD, {"device": device.slug})
    response = client.post(CLEAR, {}, **HTMX)
    snapshot = snapshot_in(feedback(response))
    client.post(ADD, {"device": devices[4].slug})
    client.post(ADD, {"device": devices[2].slug})
    client.post(UNDO, {"snapshot": snapshot}, **HTMX)
    assert listed(client) == [d.slug for d in devices[:3]]


def test_plain_remove_redirects_to_a_page_with_an_undo_form(client, devices, give_list):
    give_list(client, devices[:2])
    response = client.post(REMOVE, {"device": devices[0].slug, "next": "/devices/"})
    assert response.status_code == 303
    page = client.get("/devices/")
    messages = by_id(page.text, "site-messages")
    assert "Removed Phone 0 from your compare list." in str(messages)
    snapshot = snapshot_in(str(messages))
    response = client.post(UNDO, {"snapshot": snapshot, "next": "/devices/"})
    assert response.status_code == 303
    assert response["Location"] == "/devices/"
    assert listed(client) == [devices[0].slug, devices[1].slug]
    page = client.get("/devices/")
    assert "Undone: your compare list is back to 2 devices." in page.text
    assert "compare-undo" not in page.text


def test_plain_clear_can_be_undone(client, devices, give_list):
    give_list(client, devices[:3])
    page = client.post(CLEAR, {"next": "/compare/"}, follow=True)
    assert "Your compare list is now empty." in page.text
    client.post(UNDO, {"snapshot": snapshot_in(page.text)})
    assert listed(client) == [d.slug for d in devices[:3]]


def test_undo_forms_never_reach_the_page_cache(client, devices, give_list):
    give_list(client, devices[:2])
    client.get("/devices/")  # stored for this list
    client.post(REMOVE, {"device": devices[0].slug, "next": "/devices/"})
    assert "compare-undo" in client.get("/devices/").text
    client.post(ADD, {"device": devices[0].slug})
    client.get("/compare/")  # the "Added" message is shown, and gone
    for _ in range(2):  # rendered, then served from the cache
        assert "compare-undo" not in client.get("/devices/").text


def test_compare_these_in_my_list_can_be_undone(client, devices, give_list):
    give_list(client, devices[3:5])
    key = compare.canonical_key([devices[0].slug, devices[1].slug])
    page = client.post(reverse("comparisons:compare-shared", args=[key]), follow=True)
    assert page.redirect_chain == [(reverse("comparisons:compare"), 303)]
    assert sorted(listed(client)) == sorted([devices[0].slug, devices[1].slug])
    client.post(UNDO, {"snapshot": snapshot_in(page.text)})
    assert listed(client) == [devices[3].slug, devices[4].slug]


def test_a_tampered_snapshot_is_refused_with_a_400_and_changes_nothing(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(REMOVE, {"device": devices[0].slug}, **HTMX)
    snapshot = snapshot_in(feedback(response))
    forged = compare.snapshot([devices[3].slug]).replace(":", ":x", 1)
    other_salt = signing.dumps([devices[3].slug], compress=True)
    for value in (snapshot[:-2] + "xx", forged, other_salt, "", "nonsense"):
        response = client.post(UNDO, {"snapshot": value})
        assert response.status_code == 400
        assert "This undo form is damaged" in response.text
        assert listed(client) == []
    response = client.post(UNDO, {"snapshot": snapshot[:-2] + "xx"}, **HTMX)
    assert response.status_code == 200
    assert "This undo form is damaged" in widget(response)


def test_a_snapshot_of_something_else_than_a_list_is_refused(client):
    value = signing.dumps({"a": 1}, salt=compare.UNDO_SALT)
    assert client.post(UNDO, {"snapshot": value}).status_code == 400


def sign_minutes_ago(monkeypatch, slugs, minutes):
    real = signing.time.time()
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: real - minutes * 60)
        return compare.snapshot(slugs)


def test_undo_works_for_ten_minutes_and_more(client, devices, monkeypatch):
    snapshot = sign_minutes_ago(monkeypatch, [devices[2].slug, devices[1].slug], 11)
    response = client.post(UNDO, {"snapshot": snapshot})
    assert response.status_code == 303
    assert listed(client) == [devices[2].slug, devices[1].slug]


def test_an_expired_undo_says_so_and_changes_nothing(client, devices, monkeypatch):
    client.post(ADD, {"device": devices[0].slug})
    minutes = compare.UNDO_MAX_AGE // 60 + 1
    snapshot = sign_minutes_ago(monkeypatch, [devices[2].slug], minutes)
    response = client.post(UNDO, {"snapshot": snapshot}, follow=True)
    text = f"Undo is no longer possible: it lasts {compare.UNDO_MAX_AGE // 60} minutes"
    assert any(text in m for m in messages_of(response))
    response = client.post(UNDO, {"snapshot": snapshot}, **HTMX)
    assert text in feedback(response)
    assert listed(client) == [devices[0].slug]


def test_undo_leaves_out_devices_deleted_meanwhile(client, devices):
    snapshot = compare.snapshot([devices[0].slug, devices[1].slug])
    devices[0].delete()
    client.post(UNDO, {"snapshot": snapshot})
    assert listed(client) == [devices[1].slug]


def test_undo_to_an_empty_list_empties_it(client, devices):
    client.post(ADD, {"device": devices[0].slug})
    response = client.post(UNDO, {"snapshot": compare.snapshot([])}, **HTMX)
    assert "Undone: your compare list is empty again." in feedback(response)
    assert not CompareList.objects.exists()


def test_undo_needs_csrf_and_post(devices):
    client = Client(enforce_csrf_checks=True)
    assert client.post(UNDO, {"snapshot": compare.snapshot([])}).status_code == 403
    assert Client().get(UNDO).status_code == 405


def test_undo_and_changes_on_the_compare_page_stay_in_the_query_budget(
    client, devices, give_list, django_assert_max_num_queries
):
    give_list(client, devices[:4])
    headers = {**HTMX, "HTTP_HX_CURRENT_URL": "http://testserver/compare/"}
    with django_assert_max_num_queries(8):
        response = client.post(REMOVE, {"device": devices[1].slug}, **headers)
    snapshot = snapshot_in(feedback(response))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        response = client.post(UNDO, {"snapshot": snapshot}, **headers)
    assert response.status_code == 200
    assert widget_names(response) == [d.name for d in devices[:4]]
    with django_assert_max_num_queries(8):
        response = client.post(UNDO, {"snapshot": snapshot})
    assert response.status_code == 303
    assert listed(client) == [d.slug for d in devices[:4]]
    with django_assert_max_num_queries(8):
        response = client.get("/compare/", HTTP_HX_TARGET="compare-list-body", **headers)
    assert response.status_code == 200
    assert response.text.count('class="compare-table__device"') == 4


@pytest.mark.parametrize(
    "key",
    ["a", "a-vs-a", "a-vs-", "-vs-b", "a-vs-b-vs-c-vs-d-vs-e", "-vs-".join(["a", "b"] * 9)],
)
def test_shared_slugs_refuse_a_key_no_comparison_can_have(key):
    assert settings.COMPARE_MAX == 4
    with pytest.raises(Http404):
        compare.shared_slugs(key)


def test_shared_slugs_keep_the_urls_order_and_repeats_a_redirect_drops():
    assert compare.shared_slugs("b-vs-a-vs-b") == ["b", "a", "b"]
    assert compare.shared_slugs("-vs-".join(["a", "b"] * 8)) == ["a", "b"] * 8
