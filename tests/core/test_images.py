"""The site's image rules (core.images) and how media are served (core.views.media)."""

import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import ValidationError
from PIL import ExifTags, Image, ImageFile

from core import images
from tests.factories import image_bytes

ROOT = Path(__file__).resolve().parents[2]


def gps_exif(orientation=None):
    """EXIF with a GPS position (as phone photos carry), and maybe an orientation."""
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (13.0, 24.0, 36.0),
    }
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def has_gps(data):
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or "exif" in image.info


def png(width, height, full=False, rgb=False):
    """A grey-scale 1-bit (or ``rgb`` 8-bit) PNG of any size, written by hand: only its
    header is true unless ``full`` (then its pixels are all there: a decompression bomb of a
    few kilobytes)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    depth, colour, bits = (8, 2, 24) if rgb else (1, 0, 1)
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    row = b"\0" * (1 + (width * bits + 7) // 8)
    pixels = zlib.compress(row * (height if full else 1), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def hollow_jpeg(width, height):
    """A small JPEG whose header claims ``width`` × ``height``: its data ends (with a proper
    end marker) long before the blocks do, and libjpeg paints the rest grey."""
    data = bytearray(image_bytes(64, 64))
    frame = data.find(b"\xff\xc0")  # baseline frame: length, precision, height, width
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def canvas_blocks(action):
    """How many of Pillow's 16 MB memory blocks ``action`` takes: a canvas of 40 megapixels
    takes ten, one of a few megapixels one."""
    before = Image.core.get_stats()
    action()
    after = Image.core.get_stats()
    return sum(after[key] - before[key] for key in ("allocated_blocks", "reused_blocks"))


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any image is decoded: a refusal must come from the header."""

    def decode(self):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)


def refusal(data, name):
    with pytest.raises(images.ImageRefused) as refused:
        images.prepare(io.BytesIO(data), name)
    return str(refused.value)


def test_gps_and_all_exif_are_stripped_from_the_master_and_every_copy():
    data = image_bytes(400, 300, exif=gps_exif(), xmp=b"<x:xmpmeta>52.52N</x:xmpmeta>")
    assert has_gps(data)
    master = images.prepare(io.BytesIO(data), "holiday.jpg")
    assert not has_gps(master.content)
    with Image.open(io.BytesIO(master.content)) as stored:
        assert "xmp" not in stored.info
    for copy in images.make_copies(master).values():
        assert not has_gps(copy)


def test_orientation_is_applied_and_then_dropped():
    # Stored landscape with "rotate 90° clockwise to view": the photo is portrait.
    data = image_bytes(400, 200, exif=gps_exif(orientation=6))
    master = images.prepare(io.BytesIO(data), "turned.jpg")
    assert (master.width, master.height) == (200, 400)
    with Image.open(io.BytesIO(master.content)) as stored:
        assert stored.size == (200, 400)
        assert ExifTags.Base.Orientation not in stored.getexif()


def test_a_clean_jpeg_is_kept_byte_for_byte_and_a_stored_master_reads_back_the_same():
    clean = image_bytes(300, 200)
    assert images.prepare(io.BytesIO(clean), "clean.jpg").content == clean
    for data, name in [
        (image_bytes(300, 200, exif=gps_exif()), "gps.jpg"),
        (image_bytes(300, 200, fmt="PNG", mode="RGBA", color=(0, 0, 255, 90)), "alpha.png"),
        (image_bytes(300, 200, fmt="WEBP"), "photo.webp"),
    ]:
        master = images.prepare(io.BytesIO(data), name)
        again = images.prepare(io.BytesIO(master.content), "again")
        assert (again.content, again.checksum) == (master.content, master.checksum)
        assert master.extension == (".png" if name == "alpha.png" else ".jpg")


def test_copies_are_every_width_in_webp_and_jpeg_in_a_4_by_3_box():
    master = images.prepare(io.BytesIO(image_bytes(90, 200)), "tall.jpg")
    copies = images.make_copies(master)
    assert set(copies) == {(w, ext) for w in images.WIDTHS for ext in ("webp", "jpg")}
    for (width, extension), data in copies.items():
        with Image.open(io.BytesIO(data)) as copy:
            assert copy.size == (width, width * 3 // 4)
            assert copy.format == {"webp": "WEBP", "jpg": "JPEG"}[extension]


def test_a_12000_by_12000_png_is_refused_from_its_header_naming_the_file(no_decoding):
    message = refusal(png(12_000, 12_000), "poster.png")
    assert message.startswith("poster.png is 12,000 × 12,000 pixels (144 megapixels)")
    assert "at most 40 megapixels" in message


def test_a_17_kb_decompression_bomb_is_refused_before_it_is_decoded(no_decoding):
    bomb = png(12_000, 12_000, full=True)
    assert len(bomb) < 20_000  # 144 megapixels in a few kilobytes
    assert refusal(bomb, "tiny.png").startswith("tiny.png is 12,000 × 12,000 pixels")


def test_40_megapixels_pass_and_one_row_more_does_not(no_decoding):
    with pytest.raises(AssertionError, match="decoded"):  # passed the checks, then decoded
        images.prepare(io.BytesIO(png(8000, 5000, full=True)), "limit.png")
    assert "limit.png is 8,000 × 5,001 pixels" in refusal(png(8000, 5001), "limit.png")


def test_a_broken_jpeg_is_refused_naming_the_file():
    data = image_bytes(640, 480)
    message = refusal(data[: len(data) // 2], "cut.jpg")
    assert message == "cut.jpg is broken or cut short: it cannot be read."


def test_a_png_too_small_for_its_pixels_is_refused_before_a_canvas_is_made():
    tiny = png(6000, 6600, rgb=True)
    assert len(tiny) < 100

    def refuse():
        assert refusal(tiny, "tiny.png") == "tiny.png is broken or cut short: it cannot be read."

    assert canvas_blocks(refuse) == 0


def test_a_jpeg_whose_data_ends_early_is_refused_before_a_canvas_is_made():
    hollow = hollow_jpeg(6000, 6600)

    def refuse():
        assert refusal(hollow, "hollow.jpg") == (
            "hollow.jpg is broken or cut short: it cannot be read."
        )

    assert canvas_blocks(refuse) == 0


def test_a_cut_jpeg_is_refused_from_a_small_decode():
    data = image_bytes(4000, 4000)
    assert canvas_blocks(lambda: images.open_checked(io.BytesIO(data), "whole.jpg")) > 1

    def refuse():
        assert refusal(data[: len(data) // 2], "cut.jpg").startswith("cut.jpg is broken")

    assert canvas_blocks(refuse) <= 1


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("JPEG", {"quality": 1, "optimize": True, "progressive": True}), ("PNG", {"optimize": True})],
)
def test_flat_colour_images_as_small_as_encoders_make_them_are_accepted(fmt, options):
    buffer = io.BytesIO()
    Image.new("L", (2000, 2000), 255).save(buffer, fmt, **options)
    image, _format = images.open_checked(buffer, f"white.{fmt.lower()}")
    assert image.size == (2000, 2000)


def test_a_file_that_is_no_image_is_refused_naming_it():
    assert refusal(b"Dear editor, ...", "letter.txt") == (
        "letter.txt is not an image (JPEG, PNG or WebP)."
    )


def test_an_image_of_another_format_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")
    assert refusal(buffer.getvalue(), "old.bmp").startswith("old.bmp is a BMP image")


def test_a_file_over_10_mb_is_refused_without_being_read(no_decoding):
    data = image_bytes(20, 20) + b"\0" * images.MAX_BYTES
    assert refusal(data, "huge.jpg").startswith(
        "huge.jpg is 10.0 MB; an image may be at most 10 MB"
    )


def test_the_upload_field_gives_the_clean_master_or_the_reason_naming_the_file():
    field = images.ImageUploadField()
    upload = SimpleUploadedFile("me.jpg", image_bytes(120, 90, exif=gps_exif()))
    clean = field.clean(upload)
    assert clean.name == f"{clean.master.checksum[:16]}.jpg"
    assert not has_gps(clean.read())
    with pytest.raises(ValidationError) as refused:
        field.clean(SimpleUploadedFile("poster.png", png(12_000, 12_000)))
    assert refused.value.messages[0].startswith("poster.png is 12,000 × 12,000 pixels")
    assert field.widget.attrs["accept"] == "image/jpeg,image/png,image/webp"


def test_storing_a_master_twice_writes_nothing_the_second_time():
    master = images.prepare(io.BytesIO(image_bytes(200, 100)), "a.jpg")
    name, written = images.store_with_copies(master, "devices/x")
    assert name == f"devices/x/{master.checksum[:16]}.jpg"
    assert sorted(written) == sorted([name, *images.copy_names(name)])
    assert images.store_with_copies(master, "devices/x") == (name, [])


# Serving media (make run and make serve keep them on disk).


@pytest.fixture
def stored(db):
    master = images.prepare(io.BytesIO(image_bytes(200, 100)), "a.jpg")
    name, _written = images.store_with_copies(master, "devices/phone")
    return name


def test_media_are_served_public_for_a_year_and_immutable(client, stored):
    copy = images.copy_name(stored, 320, "webp")
    response = client.get(f"/media/{copy}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content) == default_storage.open(copy).read()


def test_media_answer_head_with_the_headers_alone(client, stored):
    response = client.head(f"/media/{stored}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""
    assert int(response["Content-Length"]) == default_storage.size(stored)
    assert "immutable" in response["Cache-Control"]


def test_media_answer_if_modified_since_with_304(client, stored):
    first = client.get(f"/media/{stored}")
    again = client.get(f"/media/{stored}", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 304


def test_a_name_that_is_not_a_hash_is_cached_a_day_only(client, db):
    default_storage.save("news/old-upload.jpg", io.BytesIO(image_bytes()))
    response = client.get("/media/news/old-upload.jpg")
    assert response["Cache-Control"] == "public, max-age=86400"


def test_media_serves_images_only_and_nothing_outside_media_root(client, db):
    default_storage.save("notes/page.html", io.BytesIO(b"<script>alert(1)</script>"))
    assert client.get("/media/notes/page.html").status_code == 404
    assert client.get("/media/../config/settings.py").status_code == 404
    assert client.get("/media/%2e%2e/manage.py").status_code == 404
    assert client.get("/media/devices/none.jpg").status_code == 404


def settings_of(**env):
    """SECURE_CSP's img-src under ``env``, read by a fresh process (settings read it once)."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.SECURE_CSP['img-src'])"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )


def test_media_origin_joins_the_image_sources_of_the_security_policy():
    assert (
        "https://media.example.com'"
        in settings_of(MEDIA_ORIGIN="https://media.example.com/").stdout
    )
    refused = settings_of(MEDIA_ORIGIN="media.example.com/photos")
    assert refused.returncode != 0
    assert "is not an origin" in refused.stderr
