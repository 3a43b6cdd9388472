"""Production settings: refuse to start without what they need; pass the deploy checks."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    # A clean environment: the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process.
    unwanted = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in unwanted}
    environ.update(DJANGO_SETTINGS_MODULE="config.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", ALLOWED_HOSTS="specwise.example")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key():
    result = run_manage(
        "check",
        SECRET_KEY="django-insecure-specwise-local-development-only" + "x" * 10,
        ALLOWED_HOSTS="specwise.example",
    )
    assert result.returncode != 0


def test_production_refuses_debug():
    result = run_manage(
        "check", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="x.example", DEBUG="true"
    )
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_passes_the_deploy_checks():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="specwise.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_sends_the_security_headers():
    # The sign-in form puts the CSRF token in the page and needs no database; static files
    # are not collected here, so it renders with plain (unhashed) static URLs.
    script = (
        "import json\n"
        "from django.conf import settings\n"
        "from django.test import Client, override_settings\n"
        "r = Client().get('/robots.txt', secure=True)\n"
        "plain = {**settings.STORAGES, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
        "with override_settings(STORAGES=plain):\n"
        "    login = Client().get('/admin/login/', secure=True)\n"
        "csrf = dict(login.cookies['csrftoken'])\n"
        "print(json.dumps({'headers': dict(r.headers), 'csrf_cookie': csrf}))\n"
    )
    result = run_manage(
        "shell", "-c", script, SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="testserver"
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers, csrf_cookie = answer["headers"], answer["csrf_cookie"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "camera=()" in headers["Permissions-Policy"]
    assert csrf_cookie["httponly"] is True
    assert csrf_cookie["secure"] is True


@pytest.mark.parametrize(
    ("name", "value"),
    [("SECURE_SSL_REDIRECT", "flase"), ("DEBUG", "maybe"), ("COMPARE_MAX", "abc")],
)
def test_production_refuses_a_value_it_does_not_understand(name, value):
    result = run_manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="specwise.example",
        **{name: value},
    )
    assert result.returncode != 0
    assert f"{name}={value!r}" in result.stderr


def test_production_understands_off_as_no():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT)",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="specwise.example",
        SECURE_SSL_REDIRECT="off",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/london", "../../etc/passwd"])
def test_an_unknown_time_zone_stops_the_start(zone):
    result = run_manage(
        "check", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="x.example", TIME_ZONE=zone
    )
    assert result.returncode != 0
    assert f"TIME_ZONE={zone!r} is not a time zone" in result.stderr


def test_the_time_zone_comes_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TIME_ZONE)",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="specwise.example",
        TIME_ZONE="Europe/London",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Europe/London"
