import pytest
from django.contrib.auth import get_user_model

from catalog.models import SpecField
from tests.browser.axe import assert_accessible
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)

PASSWORD = "a-long-test-password"


@pytest.mark.django_db(transaction=True)
def test_editor_changes_a_spec_value_inline_and_the_device_page_shows_it(live_server, page):
    get_user_model().objects.create_superuser("editor", "editor@example.com", PASSWORD)
    phones = CategoryFactory(name="Phones")
    battery = SpecFieldFactory(
        name="Battery capacity",
        group=SpecGroupFactory(name="Battery"),
        unit="mAh",
        kind=SpecField.Kind.NUMBER,
        categories=[phones],
    )
    SpecFieldFactory(name="IP rating", group=SpecGroupFactory(name="Body"), categories=[phones])
    device = DeviceFactory(name="Test Phone", slug="test-phone", category=phones)
    spec = SpecValueFactory(device=device, field=battery, value="4700 mAh")

    blocked = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and blocked.append(message.text),
    )
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Devices").click()
    page.get_by_role("link", name="Test Phone").click()

    row = page.locator("tr.form-row", has=page.locator("td.field-group", has_text="Battery"))
    row.locator("[name$='-value']").fill("5000 mAh")
    # The category's other field is offered in a pre-filled row.
    prefilled = page.locator("select[name$='-field'] option[selected]", has_text="IP rating")
    assert prefilled.count() == 1
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_text("was changed successfully").wait_for()

    # The admin runs under the same strict CSP as the site, without violations.
    assert blocked == []
    spec.refresh_from_db()
    assert (spec.value, spec.number) == ("5000 mAh", 5000)
    assert device.specs.count() == 1

    page.goto(f"{live_server.url}/devices/test-phone/")
    sheet = page.locator("table", has_text="Battery capacity")
    assert "5000 mAh" in sheet.inner_text()
    assert "4700 mAh" not in page.content()
    assert_accessible(page)
