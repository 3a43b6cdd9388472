"""A backup made the way the README says restores into an empty database that serves the
same public pages."""

import re
import shutil
import sqlite3
import subprocess

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections

from catalog.models import Device
from comparisons.compare import canonical_key
from news.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

# What differs between two renders of the same page: the CSRF token and the CSP nonce.
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": |nonce=)"[^"]*"')


def public_pages(client):
    """Home, a device, a comparison and a story, rendered afresh, minus token and nonce."""
    cache.clear()  # the restored content version would find the pages cached before
    devices = list(Device.objects.order_by("slug").values_list("slug", flat=True))
    article = Article.objects.published().order_by("slug").first()
    paths = [
        "/",
        f"/devices/{devices[0]}/",
        f"/compare/{canonical_key(devices[:3])}/",
        article.get_absolute_url(),
    ]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = PER_REQUEST.sub(r'\1""', response.content.decode())
    return pages


def served_from(name, client):
    """The public pages when the site's database is ``name``."""
    default = connections["default"]
    original = default.settings_dict["NAME"]
    default.close()
    default.settings_dict["NAME"] = name
    try:
        return public_pages(client)
    finally:
        default.close()
        default.settings_dict["NAME"] = original


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup")
def test_sqlite_backup_restores_into_an_empty_file_serving_the_same_pages(client, tmp_path):
    call_command("load_demo")
    before = public_pages(client)
    backup = tmp_path / "backup.sqlite3"
    # The README's command, taken while the site serves: SQLite's online backup.
    source = sqlite3.connect(connection.settings_dict["NAME"])
    with sqlite3.connect(backup) as target:
        source.backup(target)
    source.close()
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(backup, restored)  # restoring is putting the file in place
    assert served_from(str(restored), client) == before


@pytest.mark.skipif(
    connection.vendor != "postgresql" or not shutil.which("pg_dump"),
    reason="the PostgreSQL backup (needs pg_dump and pg_restore)",
)
def test_postgres_dump_restores_into_an_empty_database_serving_the_same_pages(client, tmp_path):
    call_command("load_demo")
    before = public_pages(client)
    dump = tmp_path / "specwise.dump"
    params = connection.get_connection_params()
    server = [f"--host={params.get('host') or 'localhost'}", f"--port={params.get('port') or 5432}"]
    server += [f"--username={params['user']}"] if params.get("user") else []
    subprocess.run(
        ["pg_dump", *server, "-Fc", "--no-owner", "-f", str(dump), params["dbname"]], check=True
    )
    restored = f"{params['dbname']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", *server, "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
            check=True,
        )
        assert served_from(restored, client) == before
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
