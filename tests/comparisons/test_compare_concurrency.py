"""Parallel changes from one browser: nothing lost, never over the maximum, never a 500."""

import contextlib
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comparisons import compare
from comparisons.models import CompareItem, CompareList
from tests.comparisons.http_browser import Browser
from tests.factories import DeviceFactory


def fire(browser, jobs):
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(lambda job: browser.post(*job), jobs))


def listed(browser):
    token = compare.read_token(browser.cookie(settings.COMPARE_COOKIE_NAME))
    return list(
        CompareItem.objects.filter(compare_list__token=token).values_list("device__slug", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_adds_and_removes_lose_nothing(live_server, settings):
    settings.COMPARE_MAX = 20
    devices = [DeviceFactory(name=f"Parallel {i}") for i in range(12)]
    browser = Browser(live_server.url)
    assert browser.post("/compare/add/", devices[0].slug) == 303
    assert browser.post("/compare/add/", devices[1].slug) == 303
    jobs = [("/compare/add/", d.slug) for d in devices[2:]]
    jobs += [("/compare/remove/", devices[0].slug), ("/compare/remove/", devices[1].slug)]
    statuses = fire(browser, jobs)
    assert statuses == [303] * len(jobs)
    assert sorted(listed(browser)) == sorted(d.slug for d in devices[2:])


@pytest.mark.django_db(transaction=True)
def test_parallel_adds_never_exceed_the_maximum(live_server, settings):
    settings.COMPARE_MAX = 4
    devices = [DeviceFactory(name=f"Racing {i}") for i in range(13)]
    browser = Browser(live_server.url)
    assert browser.post("/compare/add/", devices[0].slug) == 303
    jobs = [("/compare/add/", d.slug) for d in devices[1:]]
    jobs += [("/compare/add/", devices[1].slug)]  # a double click
    statuses = fire(browser, jobs)
    assert 500 not in statuses
    assert set(statuses) == {303}
    final = listed(browser)
    assert len(final) == 4
    assert len(set(final)) == 4
    assert final[0] == devices[0].slug


@pytest.mark.django_db(transaction=True)
def test_parallel_adds_after_a_clear_land_in_one_list(live_server, settings):
    settings.COMPARE_MAX = 20
    devices = [DeviceFactory(name=f"Again {i}") for i in range(10)]
    browser = Browser(live_server.url)
    assert browser.post("/compare/add/", devices[0].slug) == 303
    token = compare.read_token(browser.cookie(settings.COMPARE_COOKIE_NAME))
    assert browser.post("/compare/clear/", "") == 303
    assert not CompareList.objects.exists()
    jobs = [("/compare/add/", d.slug) for d in devices[1:]]
    assert fire(browser, jobs) == [303] * len(jobs)
    assert list(CompareList.objects.values_list("token", flat=True)) == [token]
    assert sorted(listed(browser)) == sorted(d.slug for d in devices[1:])


def post_form(browser, path, fields):
    """A form post with any fields (Browser.post sends only ``device``)."""
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": browser.csrf, **fields}).encode()
    request = urllib.request.Request(
        f"{browser.base_url}{path}", data=data, headers={"Referer": f"{browser.base_url}/"}
    )
    try:
        with browser.opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_parallel_undos_and_adds_never_exceed_the_maximum(live_server, settings):
    settings.COMPARE_MAX = 4
    devices = [DeviceFactory(name=f"Undoing {i}") for i in range(10)]
    browser = Browser(live_server.url)
    for device in devices[:4]:
        assert browser.post("/compare/add/", device.slug) == 303
    snapshot = compare.snapshot([d.slug for d in devices[:4]])
    assert post_form(browser, "/compare/clear/", {}) == 303
    jobs = [("/compare/add/", d.slug) for d in devices[4:]]
    with ThreadPoolExecutor(max_workers=len(jobs) + 3) as pool:
        undos = [pool.submit(post_form, browser, "/compare/undo/", {"snapshot": snapshot})]
        undos += [pool.submit(post_form, browser, "/compare/undo/", {"snapshot": snapshot})]
        adds = list(pool.map(lambda job: browser.post(*job), jobs))
    statuses = adds + [undo.result() for undo in undos]
    assert set(statuses) == {303}
    final = listed(browser)
    assert len(final) <= 4 and len(set(final)) == len(final)
    # Undo puts back exactly the list as it was, whatever happened in between.
    assert post_form(browser, "/compare/undo/", {"snapshot": snapshot}) == 303
    assert listed(browser) == [d.slug for d in devices[:4]]


# The row lock itself: the parallel tests above pass on SQLite without it, as its IMMEDIATE
# write transactions queue every change to any list.


@contextlib.contextmanager
def written_sql():
    """The statements run, as Django wrote them. SQLite has no row locks, so Django leaves
    FOR UPDATE out there: it is told otherwise, and the clause comes off again before SQLite
    reads the statement, so a lock asked for shows in the SQL on every database."""
    with contextlib.ExitStack() as stack:
        if connection.vendor == "sqlite":
            stack.enter_context(
                mock.patch.object(connection.features, "has_select_for_update", True)
            )
            stack.enter_context(
                connection.execute_wrapper(
                    lambda execute, sql, *args: execute(sql.replace(" FOR UPDATE", ""), *args)
                )
            )
        yield stack.enter_context(CaptureQueriesContext(connection))


def list_statements(captured):
    """The statements on the compare list's tables, in order."""
    tables = {f'"{model._meta.db_table}"' for model in (CompareList, CompareItem)}
    return [query["sql"] for query in captured if any(table in query["sql"] for table in tables)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda token, devices: compare.add(token, devices[2]),
        lambda token, devices: compare.remove(token, devices[0]),
        lambda token, devices: compare.clear(token),
        lambda token, devices: compare.replace(token, devices[1:]),
    ],
    ids=["add", "remove", "clear", "replace"],
)
def test_a_change_locks_the_list_row_before_reading_the_list(change):
    devices = DeviceFactory.create_batch(3)
    token = compare.new_token()
    compare.replace(token, devices[:2])
    with written_sql() as captured:
        change(token, devices)
    run = list_statements(captured)
    table = CompareList._meta.db_table
    assert run[0].startswith("SELECT") and f'FROM "{table}"' in run[0]
    assert run[0].endswith("FOR UPDATE"), run[0]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking")
def test_on_sqlite_every_write_transaction_takes_the_write_lock_when_it_begins():
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
