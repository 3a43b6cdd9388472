"""prune_compare_lists: lists nobody changed for COMPARE_LIST_DAYS days go, with their items."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comparisons import compare
from comparisons.management.commands import prune_compare_lists
from comparisons.models import CompareItem, CompareList
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def a_year(settings):
    settings.COMPARE_LIST_DAYS = 365


@pytest.fixture
def device():
    return DeviceFactory(name="Pruned Phone")


def list_aged(device, days):
    """A list holding ``device``, last changed ``days`` days ago; returns its token."""
    token = compare.add(None, device).visitor_list.token
    CompareList.objects.filter(token=token).update(updated_at=timezone.now() - timedelta(days=days))
    return token


def prune(*args):
    out = io.StringIO()
    call_command("prune_compare_lists", *args, stdout=out)
    return out.getvalue().strip()


def remaining():
    return set(CompareList.objects.values_list("token", flat=True))


def test_old_lists_go_with_their_items_and_recent_ones_stay(device):
    old = [list_aged(device, 400), list_aged(device, 366)]
    recent = [list_aged(device, 364), list_aged(device, 0)]
    assert prune() == "Removed 2 compare lists untouched for 365 days."
    assert remaining() == set(recent)
    assert not CompareItem.objects.filter(compare_list__token__in=old).exists()
    assert CompareItem.objects.count() == 2


def test_the_setting_is_the_default_age(device, settings):
    settings.COMPARE_LIST_DAYS = 30
    kept = list_aged(device, 10)
    list_aged(device, 40)
    assert prune() == "Removed 1 compare lists untouched for 30 days."
    assert remaining() == {kept}


def test_days_overrides_the_setting(device):
    kept = list_aged(device, 10)
    list_aged(device, 40)
    assert prune("--days", "30") == "Removed 1 compare lists untouched for 30 days."
    assert remaining() == {kept}


def test_nothing_due_removes_nothing(device):
    token = list_aged(device, 1)
    assert prune() == "Removed 0 compare lists untouched for 365 days."
    assert remaining() == {token}


def test_days_must_be_positive():
    with pytest.raises(CommandError):
        call_command("prune_compare_lists", "--days", "0")


def test_more_lists_than_a_batch_all_go(device, monkeypatch):
    monkeypatch.setattr(prune_compare_lists, "BATCH_SIZE", 2)
    for _ in range(5):
        list_aged(device, 400)
    kept = list_aged(device, 3)
    assert prune() == "Removed 5 compare lists untouched for 365 days."
    assert remaining() == {kept}


def test_a_pruned_visitor_gets_the_list_back_under_the_same_token(device):
    token = list_aged(device, 400)
    prune()
    other = DeviceFactory(name="Comeback Phone")
    change = compare.add(token, other)
    assert change.visitor_list.token == token
    assert [d.slug for d in change.visitor_list.devices] == [other.slug]
    assert remaining() == {token}


def test_pruning_runs_a_few_queries_however_many_lists_go(device, django_assert_max_num_queries):
    for _ in range(30):
        list_aged(device, 400)
    # 8 for the old lists, 1 to find no list whose cookie never came back.
    with django_assert_max_num_queries(9):
        assert prune() == "Removed 30 compare lists untouched for 365 days."
    assert not CompareItem.objects.exists()


def made_without_a_cookie(device, hours_ago):
    """A list made by an add that brought no cookie, ``hours_ago``; returns its token."""
    token = compare.add(None, device).visitor_list.token
    made = timezone.now() - timedelta(hours=hours_ago)
    CompareList.objects.filter(token=token).update(created_at=made, updated_at=made)
    return token


def test_lists_whose_cookie_never_came_back_go_after_a_day(device, client, settings):
    dropped = [made_without_a_cookie(device, 25) for _ in range(3)]
    fresh = made_without_a_cookie(device, 23)
    kept = made_without_a_cookie(device, 25)
    client.cookies[settings.COMPARE_COOKIE_NAME] = compare.sign_token(kept)
    assert client.get("/").status_code == 200  # the cookie came back
    assert prune() == (
        "Removed 0 compare lists untouched for 365 days.\n"
        "Removed 3 compare lists whose cookie never came back."
    )
    assert remaining() == {fresh, kept}
    assert not CompareItem.objects.filter(compare_list__token__in=dropped).exists()


def test_a_change_under_the_cookie_keeps_the_list(device):
    token = made_without_a_cookie(device, 25)
    compare.add(token, DeviceFactory(name="Second Phone"))
    assert prune() == "Removed 0 compare lists untouched for 365 days."
    assert remaining() == {token}


def test_a_list_given_back_to_a_pruned_token_is_kept(device):
    token = made_without_a_cookie(device, 25)
    CompareList.objects.filter(token=token).delete()
    compare.add(token, device)  # a genuine cookie came back: the list is made again
    CompareList.objects.filter(token=token).update(created_at=timezone.now() - timedelta(days=2))
    assert prune() == "Removed 0 compare lists untouched for 365 days."
    assert remaining() == {token}


def test_cookieless_adds_and_views_from_one_address_leave_no_list_behind():
    phones = [DeviceFactory(slug=slug) for slug in ("a", "b")]
    for _ in range(25):
        visitor = Client()  # keeps no cookie from one request to the next
        visitor.post(reverse("comparisons:compare-add"), {"device": phones[0].slug})
        Client().get("/compare/a-vs-b/")
    assert CompareList.objects.count() == 25
    CompareList.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    prune()
    assert not CompareList.objects.exists() and not CompareItem.objects.exists()
