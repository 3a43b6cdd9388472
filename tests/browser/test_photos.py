"""Pictures in a real browser: an editor (a member of the Editors group, not a superuser)
uploads photos, a visitor sees resized copies at 390 and 1280 px, and outlines keep their
scale on screen."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.template.loader import render_to_string

from catalog.models import Device
from core.editors import EDITORS_GROUP
from tests.browser.axe import assert_accessible
from tests.factories import (
    CategoryFactory,
    DeviceFactory,
    DevicePhotoFactory,
    SpecFieldFactory,
    SpecValueFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
# Set to a folder to keep the screenshots (to look at them); else they go with tmp_path.
SHOTS = os.environ.get("SPECWISE_SCREENSHOTS", "")


def shoot(page, tmp_path, name):
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def shown_image(locator):
    """(file the browser chose, its natural width, its rendered width) for an <img>."""
    return locator.evaluate(
        "img => [img.currentSrc, img.naturalWidth, img.getBoundingClientRect().width]"
    )


@pytest.fixture
def sized_catalog():
    phones = CategoryFactory(name="Phones", kind="phone")
    laptops = CategoryFactory(name="Laptops", kind="laptop")
    size = SpecFieldFactory(name="Dimensions", role="dimensions", categories=[phones, laptops])
    phone = DeviceFactory(name="Nothing Phone (2)", slug="nothing-phone-2", category=phones)
    laptop = DeviceFactory(name="Yoga Slim", slug="yoga-slim", category=laptops)
    SpecValueFactory(device=phone, field=size, value="162.1 x 76.4 x 8.6 mm")
    SpecValueFactory(device=laptop, field=size, value="324.3 x 225.1 x 12.9 mm")
    return phone, laptop


def test_an_editor_uploads_two_photos_and_visitors_see_resized_copies(
    live_server, page, browser, tmp_path, sized_catalog
):
    editor = get_user_model().objects.create_user(
        "editor", "editor@example.com", PASSWORD, is_staff=True
    )
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    phone, _laptop = sized_catalog
    front, back = tmp_path / "front.jpg", tmp_path / "back.jpg"
    front.write_bytes(image_bytes(900, 1600, color=(30, 30, 40)))
    back.write_bytes(image_bytes(900, 1600, color=(220, 220, 225)))

    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.goto(f"{live_server.url}/admin/catalog/device/{phone.pk}/change/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("input[name='photos-0-image']").set_input_files(str(front))
    page.locator("input[name='photos-0-alt']").fill("Front, dark grey")
    page.get_by_role("button", name="Add another Device photo").click()
    page.locator("input[name='photos-1-image']").set_input_files(str(back))
    page.locator("input[name='photos-1-order']").fill("1")
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_text("was changed successfully").wait_for()
    assert page.locator("td.field-preview img").count() == 2
    assert blocked == []

    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        visitor = context.new_page()
        visitor.on(
            "console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text)
        )
        visitor.goto(f"{live_server.url}/devices/")
        card = visitor.locator("article.device-card", has_text="Nothing Phone (2)").locator("img")
        chosen, natural, shown = shown_image(card)
        assert chosen.endswith(".webp") and natural >= shown > 100
        # The laptop has no photo: its outline, not initials.
        assert (
            visitor.locator("article.device-card", has_text="Yoga Slim").locator("svg").count() == 1
        )
        shoot(visitor, tmp_path, f"catalog-{width}")
        visitor.goto(f"{live_server.url}/devices/nothing-phone-2/")
        main = visitor.get_by_role("img", name="Front, dark grey").first
        chosen, natural, shown = shown_image(main)
        assert chosen.endswith(".webp") and natural >= shown
        assert visitor.locator(".device-photos img").count() == 2
        shoot(visitor, tmp_path, f"device-{width}")
        assert_accessible(visitor)
        context.close()
    assert blocked == []
    assert Device.objects.get(pk=phone.pk).image


def test_outlines_are_drawn_at_one_scale_on_screen(live_server, page, sized_catalog):
    devices = list(Device.objects.with_key_specs().order_by("name"))
    html = render_to_string("includes/size_comparison.html", {"devices": devices})
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(
            f'<!doctype html><html lang="en"><head><title>Size</title>'
            f'<link rel="stylesheet" href="{live_server.url}/static/css/site.css"></head>'
            f'<body><main class="wrap">{html}</main></body></html>'
        )
        page.wait_for_load_state("load")
        boxes = {
            slug: page.locator(f'[data-outline="{slug}"]').bounding_box()
            for slug in ("nothing-phone-2", "yoga-slim")
        }
        phone, laptop = boxes["nothing-phone-2"], boxes["yoga-slim"]
        assert laptop["width"] / phone["width"] == pytest.approx(324.3 / 76.4, rel=0.01)
        assert laptop["height"] / phone["height"] == pytest.approx(225.1 / 162.1, rel=0.01)
        assert laptop["x"] + laptop["width"] <= width  # nothing runs off the screen
        assert (
            "Yoga Slim"
            in page.locator("figcaption", has=page.locator("strong")).all_inner_texts()[1]
        )


def test_pages_with_outlines_and_glyphs_are_accessible(live_server, page, sized_catalog):
    chips = CategoryFactory(name="Chipsets", kind="chip")
    DeviceFactory(name="Snapdragon 8+ Gen 1", slug="snapdragon", category=chips)
    DevicePhotoFactory(device=DeviceFactory(name="Photo Phone", category=sized_catalog[0].category))
    for path in ("/devices/", "/devices/nothing-phone-2/", "/devices/snapdragon/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("svg.outline, picture.device-picture").count() >= 1
        assert_accessible(page)
