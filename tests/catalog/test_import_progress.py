"""Progress of a long import: the writer's hook, the job's count, the commands' counter."""

import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from catalog import imports
from catalog.io import import_catalog, write
from catalog.models import ImportJob, SpecValue
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

BATTERY = {"group": "Battery", "name": "Battery capacity", "unit": "mAh", "kind": "number"}
IP = {"group": "Body", "name": "IP rating", "kind": "text"}


def catalog(devices):
    return {"fields": [BATTERY, IP], "devices": devices}


def phone(i, battery=4000, ip="IP54"):
    specs = {"Battery capacity": f"{battery + i} mAh"}
    if ip is not None:
        specs["IP rating"] = ip
    return {
        "name": f"Phone {i}",
        "slug": f"phone-{i}",
        "brand": "B",
        "category": "Phones",
        "specs": specs,
    }


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def phones():
    return CategoryFactory(name="Phones")


def test_the_writer_reports_each_batch_of_devices(phones, monkeypatch):
    monkeypatch.setattr(write, "BATCH", 2)
    calls = []
    import_catalog(catalog([phone(i) for i in range(5)]), progress=lambda *a: calls.append(a))
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_a_dry_run_reports_no_progress(phones):
    calls = []
    import_catalog(catalog([phone(1)]), dry_run=True, progress=lambda *a: calls.append(a))
    assert calls == []


def test_values_written_a_batch_at_a_time_land_on_their_devices(phones, monkeypatch):
    monkeypatch.setattr(write, "BATCH", 2)
    import_catalog(catalog([phone(i) for i in range(5)]))
    # Unchanged, changed, a value removed, a new device: mixed across batches.
    again = [phone(0), phone(1, battery=5000), phone(2, ip=None), phone(3), phone(4), phone(5)]
    again[2]["specs"]["IP rating"] = None
    import_catalog(catalog(again))
    battery = dict(
        SpecValue.objects.filter(field__name="Battery capacity").values_list(
            "device__slug", "value"
        )
    )
    assert battery == {
        "phone-0": "4000 mAh",
        "phone-1": "5001 mAh",
        "phone-2": "4002 mAh",
        "phone-3": "4003 mAh",
        "phone-4": "4004 mAh",
        "phone-5": "4005 mAh",
    }
    rated = set(
        SpecValue.objects.filter(field__name="IP rating").values_list("device__slug", flat=True)
    )
    assert rated == {"phone-0", "phone-1", "phone-3", "phone-4", "phone-5"}


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite has one writer: the count waits for the end"
)
@pytest.mark.django_db(transaction=True)
def test_the_job_count_is_seen_while_the_import_transaction_is_open():
    job = ImportJob.objects.create(source="c.json", path="c.json", dry_run=False)
    save = imports.progress_saver(job.pk)
    seen = []

    def read():
        seen.append(ImportJob.objects.values_list("done", "total").get(pk=job.pk))
        connection.close()

    with transaction.atomic():
        save(1000, 5000)
        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
    assert seen == [(1000, 5000)]


def test_on_sqlite_the_count_is_saved_only_at_the_end():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL saves the count as it goes")
    assert imports.progress_saver(1) is None


def test_import_catalog_is_quiet_when_its_output_is_not_a_terminal(phones, tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog([phone(i) for i in range(3)])))
    out = io.StringIO()
    call_command("import_catalog", str(path), stdout=out)
    assert "\r" not in out.getvalue() and "devices written" not in out.getvalue()
    assert out.getvalue().startswith("Imported 3 devices")


def test_import_catalog_counts_devices_in_place_on_a_terminal(phones, tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog([phone(i) for i in range(3)])))
    out = Terminal()
    call_command("import_catalog", str(path), stdout=out)
    assert "\r3 / 3 devices written\n" in out.getvalue()
    assert "Imported 3 devices" in out.getvalue()


def test_generate_catalog_counts_devices_on_a_terminal_only():
    quiet = io.StringIO()
    call_command("generate_catalog", devices=12, articles=0, seed=2, stdout=quiet)
    assert "\r" not in quiet.getvalue()
    shown = Terminal()
    call_command("generate_catalog", devices=12, articles=0, seed=2, replace=True, stdout=shown)
    assert "\r12 / 12 devices\n" in shown.getvalue()
