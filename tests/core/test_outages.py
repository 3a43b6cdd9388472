"""When the database cannot be reached every request gets a short 503 page, logged once as
a warning; the site answers again as soon as the database is back. Sessions outlive the
cache."""

import logging
import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from tests.factories import DeviceFactory

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/devices/", "/devices/outage-phone/", "/news/", "/healthz"]


def database_down(error=None):
    """Every new cursor fails, as when the server is gone."""
    error = error or OperationalError("connection to server failed: Connection refused")
    return mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=error)


def serious_records(caplog):
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.fixture
def device(db):
    return DeviceFactory(name="Outage Phone", slug="outage-phone")


@pytest.mark.parametrize("path", PAGES)
def test_a_page_answers_503_with_retry_after_while_the_database_is_down(
    client, device, caplog, path
):
    with database_down():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/html")
    assert b"Back in a moment" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("path", PAGES)
def test_a_request_without_the_database_logs_one_warning_and_no_error(client, device, caplog, path):
    caplog.set_level(logging.INFO)
    with database_down():
        client.get(path)
    [record] = serious_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "Database unavailable" in record.getMessage()
    assert path in record.getMessage()


def test_an_interface_error_answers_503_too(client, device, caplog):
    with database_down(InterfaceError("connection already closed")):
        response = client.get("/devices/")
    assert response.status_code == 503
    assert [record.levelno for record in serious_records(caplog)] == [logging.WARNING]


def test_the_drivers_own_error_reaches_the_page_as_503(client, device, caplog):
    # psycopg's (or sqlite3's) OperationalError, raised where Django wraps it in its own.
    default = connections["default"]
    error = default.Database.OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(type(default), "create_cursor", side_effect=error):
        response = client.get("/devices/")
        # Marked, so Django checks the connection and drops it when the request ends.
        assert default.errors_occurred
    default.errors_occurred = False
    assert response.status_code == 503
    assert [record.levelno for record in serious_records(caplog)] == [logging.WARNING]


def test_a_visitors_compare_list_answers_503_while_the_database_is_down(
    client, device, give_list, caplog
):
    give_list(client, [device])
    with database_down():
        response = client.get("/compare/")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert [record.levelno for record in serious_records(caplog)] == [logging.WARNING]


def test_head_answers_503_without_a_body(client, device):
    with database_down():
        response = client.head("/devices/outage-phone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.content == b""


def test_a_post_answers_503_while_the_database_is_down(client, device):
    with database_down():
        response = client.post("/compare/add/", {"device": device.slug})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_pages_answer_again_once_the_database_is_back(client, device):
    with database_down():
        assert client.get("/devices/outage-phone/").status_code == 503
    assert client.get("/devices/outage-phone/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_other_errors_stay_server_errors(client, device):
    with (
        mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=RuntimeError("a bug")),
        pytest.raises(RuntimeError),
    ):
        client.get("/devices/")


# Sessions: in the database, with the cache in front when Redis is set.


def session_engine_with_redis(monkeypatch):
    """The SESSION_ENGINE config/settings.py picks when REDIS_URL is set (any pass)."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    return runpy.run_path(str(ROOT / "config" / "settings.py"))["SESSION_ENGINE"]


@pytest.fixture
def admin_client_with_redis_sessions(db, settings, monkeypatch, client):
    settings.SESSION_ENGINE = session_engine_with_redis(monkeypatch)
    admin = User.objects.create_superuser("chief", "chief@example.com", "pw")
    client.force_login(admin)
    return client


def test_an_editor_stays_signed_in_when_the_cache_is_emptied(admin_client_with_redis_sessions):
    client = admin_client_with_redis_sessions
    assert client.get("/admin/").status_code == 200
    cache.clear()
    assert client.get("/admin/").status_code == 200


def test_an_editor_stays_signed_in_while_the_cache_is_down(
    admin_client_with_redis_sessions, caplog
):
    client = admin_client_with_redis_sessions
    cache.clear()
    store, down = caches["default"], ConnectionError("cache unreachable")
    with (
        mock.patch.object(store, "get", side_effect=down),
        mock.patch.object(store, "set", side_effect=down),
        mock.patch.object(store, "add", side_effect=down),
        mock.patch.object(store, "has_key", side_effect=down),
    ):
        response = client.get("/admin/")
    assert response.status_code == 200
    assert all(record.levelno < logging.ERROR for record in caplog.records)


def test_without_redis_sessions_stay_in_the_database(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    engine = runpy.run_path(str(ROOT / "config" / "settings.py")).get(
        "SESSION_ENGINE", "django.contrib.sessions.backends.db"
    )
    assert engine == "django.contrib.sessions.backends.db"
