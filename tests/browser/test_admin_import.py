"""A chief editor imports a catalog and exports devices in the admin, without a console
error. Tasks run as they are enqueued (tests/conftest.py), so the import ends in the request."""

import json

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from catalog.models import Device
from core.editors import CHIEF_EDITORS_GROUP
from tests.browser.axe import assert_accessible
from tests.factories import CategoryFactory, DeviceFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
CATALOG = {
    "fields": [{"group": "Battery", "name": "Battery capacity", "unit": "mAh", "kind": "number"}],
    "devices": [
        {
            "name": "Nova One",
            "slug": "nova-one",
            "brand": "Aurex",
            "category": "Phones",
            "specs": {"Battery capacity": "4700 mAh"},
        }
    ],
}


@pytest.fixture
def chief_page(page, live_server):
    """``page`` signed in as a chief editor, recording console errors and uncaught
    exceptions in ``page.errors``."""
    chief = User.objects.create_user("chief", password=PASSWORD, is_staff=True)
    chief.groups.add(Group.objects.get(name=CHIEF_EDITORS_GROUP))
    page.errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append((page.url, message.text)),
    )
    page.on("pageerror", lambda error: page.errors.append((page.url, str(error))))
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    return page


def test_chief_editor_checks_then_imports_a_catalog(chief_page, live_server, tmp_path):
    page = chief_page
    CategoryFactory(name="Phones")
    file = tmp_path / "catalog.json"
    file.write_text(json.dumps(CATALOG))
    page.goto(f"{live_server.url}/admin/catalog/device/")
    page.get_by_role("link", name="Import a catalog").click()
    assert_accessible(page)
    page.get_by_label("Catalog file").set_input_files(file)
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".import-summary")).to_contain_text("Dry run, nothing written")
    assert not Device.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-progress")).to_have_text("1 / 1 devices imported.")
    expect(page.locator(".import-summary")).to_contain_text("Imported 1 device")
    assert Device.objects.filter(slug="nova-one").exists()
    assert_accessible(page)
    assert page.errors == []


def test_chief_editor_exports_the_selected_devices(chief_page, live_server):
    page = chief_page
    DeviceFactory(name="Nova Two")
    page.goto(f"{live_server.url}/admin/catalog/device/")
    page.locator("tr", has_text="Nova Two").locator("input.action-select").check()
    page.locator("select[name=action]").select_option("export_selected")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("h1")).to_have_text("Export selected devices")
    assert_accessible(page)
    page.get_by_label("CSV for a spreadsheet (one row a device)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.goto(f"{live_server.url}/admin/catalog/device/export/")
    assert_accessible(page)
    assert page.errors == []
