"""Two app processes sharing one database serve one visitor's list consistently."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.comparisons.http_browser import Browser
from tests.factories import DeviceFactory

ROOT = Path(__file__).resolve().parents[2]
WIDGET_LIST = re.compile(r'<ol class="compare-widget__list">(.*?)</ol>', re.S)


def database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def app_process(**environ):
    """A gunicorn process of its own on the test database; yields its base URL.

    ``environ`` adds to its environment; a value of None removes that variable.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=database_url())
    env.update(environ)
    env = {name: value for name, value in env.items() if value is not None}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the app process did not start")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def widget_slugs(html):
    return re.findall(r'href="/devices/([^/"]+)/"', WIDGET_LIST.search(html).group(1))


@pytest.mark.django_db(transaction=True)
def test_two_app_processes_serve_one_list_consistently():
    one, two, three, four = (DeviceFactory(name=f"Shared {i}") for i in range(4))
    with app_process() as first, app_process() as second:
        browser = Browser(first)
        assert browser.post("/compare/add/", one.slug, first) == 303
        assert browser.post("/compare/add/", two.slug, second) == 303
        assert browser.post("/compare/remove/", one.slug, first) == 303
        jobs = [(three.slug, first), (four.slug, second)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = list(pool.map(lambda job: browser.post("/compare/add/", *job), jobs))
        assert statuses == [303, 303]

        seen_first = widget_slugs(browser.get(f"{first}/compare/"))
        seen_second = widget_slugs(browser.get(f"{second}/compare/"))
    assert seen_first == seen_second
    assert seen_first[0] == two.slug
    assert set(seen_first) == {two.slug, three.slug, four.slug}
