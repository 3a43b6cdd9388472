"""Device photos: uploaded in the admin, stored clean with resized copies, shown with
srcset on cards, device pages and in share images, within the query budget."""

import importlib
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from reversion.models import Revision

from catalog.models import Device, DevicePhoto
from core import images
from tests.core.test_images import gps_exif, has_gps, hollow_jpeg, png
from tests.factories import (
    ArticleFactory,
    DeviceFactory,
    DevicePhotoFactory,
    device_form_data,
    image_bytes,
    image_upload,
)

pytestmark = pytest.mark.django_db


def change_data(device, photos=(), uploads=()):
    """POST data for the device change form: the photos it has (``photos``: dicts with the
    photo and what to change) and new ones (``uploads``: (file, alt))."""
    data = {
        **device_form_data(device),
        "specs-TOTAL_FORMS": 0,
        "specs-INITIAL_FORMS": 0,
        "photos-TOTAL_FORMS": len(photos) + len(uploads),
        "photos-INITIAL_FORMS": len(photos),
    }
    for i, row in enumerate(photos):
        photo = row["photo"]
        data.update(
            {
                f"photos-{i}-id": photo.pk,
                f"photos-{i}-device": device.pk,
                f"photos-{i}-alt": row.get("alt", photo.alt),
                f"photos-{i}-order": row.get("order", photo.order),
            }
        )
        if row.get("delete"):
            data[f"photos-{i}-DELETE"] = "on"
    for i, (upload, alt) in enumerate(uploads, start=len(photos)):
        data.update(
            {
                f"photos-{i}-device": device.pk,
                f"photos-{i}-image": upload,
                f"photos-{i}-alt": alt,
                f"photos-{i}-order": i,
            }
        )
    return data


def post(admin_client, device, **rows):
    url = reverse("admin:catalog_device_change", args=[device.pk])
    return admin_client.post(url, change_data(device, **rows))


def stored_files():
    """Every file under MEDIA_ROOT (each test has its own), relative to it."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_two_photos_uploaded_in_the_admin_are_stored_clean_with_their_copies(
    admin_client, committed
):
    device = DeviceFactory(slug="pixel-8")
    front = image_upload("front.jpg", width=600, height=800, exif=gps_exif())
    back = image_upload("back.png", fmt="PNG", width=300, height=200)
    with committed():
        response = post(admin_client, device, uploads=[(front, "Front"), (back, "Back")])
    assert response.status_code == 302
    first, second = DevicePhoto.objects.filter(device=device)
    assert (first.alt, first.order, second.alt, second.order) == ("Front", 0, "Back", 1)
    assert (first.width, first.height) == (600, 800)
    assert first.image.name.startswith("devices/pixel-8/") and first.image.name.endswith(".jpg")
    assert second.image.name.endswith(".png")
    device.refresh_from_db()
    assert device.image.name == first.image.name
    expected = sorted(
        name
        for photo in (first, second)
        for name in [photo.image.name, *images.copy_names(photo.image.name)]
    )
    assert stored_files() == expected


def test_a_served_copy_of_an_uploaded_photo_has_no_gps_position(admin_client, client):
    device = DeviceFactory()
    upload = image_upload("holiday.jpg", width=400, height=300, exif=gps_exif(orientation=6))
    assert post(admin_client, device, uploads=[(upload, "")]).status_code == 302
    photo = DevicePhoto.objects.get()
    for url in (
        photo.image.url,
        images.copy_url(photo.image.name, 320, "webp"),
        images.copy_url(photo.image.name, 1280, "jpg"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert not has_gps(b"".join(response.streaming_content))
    # Orientation applied: the stored photo stands upright.
    assert (photo.width, photo.height) == (300, 400)


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("poster.png", png(12_000, 12_000), "poster.png is 12,000 × 12,000 pixels"),
        ("cut.jpg", image_bytes(640, 480)[:900], "cut.jpg is broken or cut short"),
        ("tiny.png", png(6000, 6600, rgb=True), "tiny.png is broken or cut short"),
        ("hollow.jpg", hollow_jpeg(6000, 6600), "hollow.jpg is broken or cut short"),
        ("notes.txt", b"not a photo", "notes.txt is not an image (JPEG, PNG or WebP)."),
    ],
)
def test_the_admin_refuses_a_bad_upload_naming_the_file_and_stores_nothing(
    admin_client, name, data, error
):
    device = DeviceFactory()
    response = post(admin_client, device, uploads=[(image_upload(name, data=data), "")])
    assert response.status_code == 200
    assert error in response.text
    assert not DevicePhoto.objects.exists()
    assert stored_files() == []


def test_the_main_photo_follows_the_order_and_deletions(admin_client, committed):
    device = DeviceFactory()
    red = DevicePhotoFactory(device=device, order=0, color=(255, 0, 0))
    blue = DevicePhotoFactory(device=device, order=1, color=(0, 0, 255))
    device.refresh_from_db()
    assert device.image.name == red.image.name
    before = device.updated_at
    rows = [{"photo": red, "order": 2}, {"photo": blue, "order": 1}]
    assert post(admin_client, device, photos=rows).status_code == 302
    device.refresh_from_db()
    assert device.image.name == blue.image.name
    assert device.updated_at > before  # its share cards are drawn again
    files = stored_files()
    with committed():
        rows = [{"photo": red, "delete": True}, {"photo": blue, "delete": True}]
        assert post(admin_client, device, photos=rows).status_code == 302
    device.refresh_from_db()
    assert device.image.name == ""
    # The device's history holds the photos (restoring a version brings them back): their
    # files stay while a version names them, and go with the last one.
    assert stored_files() == files
    with committed():
        Revision.objects.all().delete()
    assert stored_files() == []


def test_files_a_copied_device_still_shows_are_kept(committed):
    photo = DevicePhotoFactory()
    copy = DeviceFactory()
    Device.objects.filter(pk=copy.pk).update(image=photo.image.name)
    with committed():
        photo.delete()
    assert default_storage.exists(photo.image.name)


def test_deleting_a_device_deletes_its_photo_files(committed):
    photo = DevicePhotoFactory()
    with committed():
        photo.device.delete()
    assert stored_files() == []


def test_a_device_image_from_before_photos_becomes_its_first_photo():
    migration = importlib.import_module("comparisons.migrations.0005_device_photos")
    device = DeviceFactory(slug="old-phone")
    old = default_storage.save("devices/old.jpg", io.BytesIO(image_bytes(exif=gps_exif())))
    gone = DeviceFactory()
    Device.objects.filter(pk=device.pk).update(image=old)
    Device.objects.filter(pk=gone.pk).update(image="devices/missing.jpg")
    # The models as that migration knew them (they lived in comparisons then).
    state = MigrationExecutor(connection).loader.project_state(
        [("comparisons", "0005_device_photos")]
    )
    migration.photos_from_images(state.apps, None)
    photo = DevicePhoto.objects.get()
    device.refresh_from_db()
    assert photo.device == device and device.image.name == photo.image.name
    assert not has_gps(default_storage.open(photo.image.name).read())
    assert not default_storage.exists(old)
    assert Device.objects.get(pk=gone.pk).image.name == ""


# Pages


def picture(html, marker):
    """The <picture> element that contains ``marker``."""
    for found in re.findall(r"<picture.*?</picture>", html, re.S):
        if marker in found:
            return found
    raise AssertionError(f"no picture with {marker}")


def test_card_and_device_page_serve_resized_copies_with_srcset_and_sizes(client):
    photo = DevicePhotoFactory(alt="Front, white", device__name="Pixel 8")
    device = photo.device
    stem = photo.image.name.rsplit(".", 1)[0]
    html = client.get(reverse("catalog:device-list")).text
    card = picture(html, stem)
    assert f'srcset="/media/{stem}-160.webp 160w, /media/{stem}-320.webp 320w' in card
    assert 'type="image/webp"' in card
    assert f'src="/media/{stem}-640.jpg"' in card
    assert 'width="320" height="240"' in card and 'alt=""' in card
    page = client.get(device.get_absolute_url()).text
    main = picture(page, 'width="480"')
    assert 'alt="Front, white"' in main and 'loading="lazy"' not in main
    assert 'sizes="(max-width: 48rem) 90vw, 20rem"' in main


def test_cards_below_the_first_load_lazily(client):
    for _ in range(3):
        DevicePhotoFactory()
    html = client.get(reverse("catalog:device-list")).text
    loading = re.findall(r"<picture.*?</picture>", html, re.S)
    assert ['loading="lazy"' in found for found in loading] == [False, True, True]


def test_a_device_page_lists_every_photo_when_it_has_several(client):
    device = DeviceFactory()
    photos = [DevicePhotoFactory(device=device, order=i, alt=f"View {i}") for i in range(3)]
    html = client.get(device.get_absolute_url()).text
    assert 'alt="View 2, photo 3 of 3"' in html
    assert f'href="{images.copy_url(photos[1].image.name, 1280)}"' in html


def test_share_tags_and_product_data_use_the_main_photo(client):
    photo = DevicePhotoFactory()
    html = client.get(photo.device.get_absolute_url()).text
    large = images.copy_url(photo.image.name, 1280, "jpg")
    assert f'<meta property="og:image" content="http://testserver{large}">' in html
    assert '<meta property="og:image:width" content="1280">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(re.search(r'application/ld\+json"[^>]*>(.*?)</script>', html, re.S)[1])
    assert data["image"] == f"http://testserver{large}"


def test_with_photos_the_pages_stay_within_the_query_budget(
    client, big_catalog, give_list, django_assert_max_num_queries
):
    devices = big_catalog["devices"]
    photos = [DevicePhotoFactory(device=device, order=0) for device in devices[:3]]
    DevicePhotoFactory(device=devices[0], order=1)
    # Every other device shows the same stored photo: the pages only read Device.image.
    Device.objects.exclude(pk__in=[d.pk for d in devices[:3]]).update(image=photos[0].image.name)
    ArticleFactory.create_batch(3, devices=devices[:2])
    give_list(client, devices[:4])
    for url in (
        reverse("catalog:device-list"),
        reverse("catalog:device-list") + "?page=2&sort=price-high",
        devices[0].get_absolute_url(),
        devices[0].brand.get_absolute_url(),
        reverse("news:home"),
    ):
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200
        assert "<picture" in response.text, url


def test_a_device_without_a_photo_or_a_known_size_shows_its_category_glyph(client):
    device = DeviceFactory(name="Mystery Phone", category__name="Phones", category__kind="phone")
    html = client.get(device.get_absolute_url()).text
    assert 'class="outline outline--phone outline--glyph device-picture device-picture--page"' in (
        html
    )
    assert 'aria-label="Mystery Phone: phone (size not known)"' in html
    assert 'class="placeholder"' not in html
