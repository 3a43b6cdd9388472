"""An edit shows at the next request in every app process, with or without Redis.

Three gunicorn processes share the test database, each with its own page cache (the
embedded default keeps caches in process memory). Edits come from this process, as an
editor's admin request, a shell or ``manage.py import_catalog`` would.
"""

import http.client
import json
import secrets
import urllib.error
import urllib.request
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
import redis
from django.core.management import call_command

from news.models import Article
from tests.comparisons.test_two_processes import app_process
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecValueFactory,
)

REDIS_URL = "redis://127.0.0.1:6379/14"


def fetch(url):
    """(status, text) of a GET without cookies, like an anonymous visitor's."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def content():
    phones = CategoryFactory(name="Phones")
    battery = SpecFieldFactory(
        name="Battery capacity", unit="mAh", kind="number", direction="higher"
    )
    battery.categories.add(phones)
    phone = DeviceFactory(name="Everywhere Phone", slug="everywhere-phone", category=phones)
    rival = DeviceFactory(name="Rival Phone", slug="rival-phone", category=phones)
    SpecValueFactory(device=phone, field=battery, value="4700 mAh", number=4700)
    SpecValueFactory(device=rival, field=battery, value="4000 mAh", number=4000)
    article = ArticleFactory(title="Everywhere story", devices=[phone])
    return {"phone": phone, "article": article}


def prove_edits_reach_every_process(bases, content, tmp_path):
    phone, article = content["phone"], content["article"]
    shared = "/compare/everywhere-phone-vs-rival-phone/"
    for base in bases:  # every process caches every page
        assert fetch(base + article.get_absolute_url())[0] == 200
        assert "Everywhere story" in fetch(base + "/")[1]
        assert "4700 mAh" in fetch(base + phone.get_absolute_url())[1]
        assert "4,700 mAh" in fetch(base + shared)[1]
        assert "Everywhere Phone" in fetch(base + "/devices/")[1]

    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    for base in bases:
        assert fetch(base + article.get_absolute_url())[0] == 404
        assert "Everywhere story" not in fetch(base + "/")[1]

    phone.name = "Renamed Everywhere Phone"
    phone.save()
    for base in bases:
        assert "Renamed Everywhere Phone" in fetch(base + "/devices/")[1]
        assert "Renamed Everywhere Phone" in fetch(base + phone.get_absolute_url())[1]

    path = tmp_path / "catalog.json"
    device = {
        "name": "Renamed Everywhere Phone",
        "slug": "everywhere-phone",
        "brand": phone.brand.name,
        "category": "Phones",
        "specs": {"Battery capacity": {"value": "5000 mAh", "number": 5000}},
    }
    path.write_text(json.dumps({"devices": [device]}))
    call_command("import_catalog", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    for base in bases:
        assert "5000 mAh" in fetch(base + phone.get_absolute_url())[1]
        assert "5,000 mAh" in fetch(base + shared)[1]


def head(base, path):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("HEAD", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("Content-Length"), body


@pytest.mark.django_db(transaction=True)
def test_three_processes_without_redis_show_every_edit_at_the_next_request(
    content, settings, tmp_path
):
    settings.CONTENT_VERSION_STORE = "database"
    with ExitStack() as stack:
        bases = [
            stack.enter_context(app_process(REDIS_URL=None, CACHE_KEY_PREFIX=None))
            for _ in range(3)
        ]
        prove_edits_reach_every_process(bases, content, tmp_path)
        status, length, body = head(bases[0], "/")
        assert (status, body) == (200, b"") and int(length) > 0


@pytest.mark.django_db(transaction=True)
def test_three_processes_with_redis_show_every_edit_at_the_next_request(
    content, settings, tmp_path
):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"specwise-test-{secrets.token_hex(4)}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.CONTENT_VERSION_STORE = "cache"
    try:
        with ExitStack() as stack:
            bases = [
                stack.enter_context(app_process(REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix))
                for _ in range(3)
            ]
            prove_edits_reach_every_process(bases, content, tmp_path)
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
