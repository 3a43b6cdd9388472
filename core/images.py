"""The site's image rules, in one place: what an uploaded or imported image may be, how it
is cleaned, and which resized copies pages serve. Device photos, article hero images and
story images all go through here.

- At most ``MAX_BYTES`` and ``MAX_PIXELS``. The pixel count is read from the file's header
  and checked *before* anything is decoded: a 17 KB PNG can claim 144 megapixels and take
  over a gigabyte to decode. JPEG, PNG and WebP only; a broken or truncated file is refused,
  one too small for the pixels it claims before a full-size canvas is made.
  Every refusal is an ``ImageRefused`` whose message names the file.
- What is stored (the "master") has its orientation applied and no metadata: photos carry
  GPS positions in EXIF or XMP. A JPEG that already has none is kept byte for byte, and a
  PNG is re-encoded losslessly, so a stored master read back in gives the same bytes (an
  export and a re-import write nothing new).
- Resized copies are made once, when the image is stored, never per request: every width
  of ``WIDTHS`` in WebP with a JPEG fallback, each fitted into a 4:3 box (a device photo on
  a card, a page and a comparison sits in the same frame), so a page knows every copy's
  name, width and height from the master's name alone, without a query.

Names are content-addressed (``<folder>/<sha256[:16]>.jpg``): a name never holds two
contents, so media may be cached for a year (``immutable``), and storing the same image
twice writes nothing.
"""

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from .forms import LoadedRowsFormSet

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Formats accepted in; "MPO" is what Pillow calls a phone camera's multi-picture JPEG.
ACCEPTED = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"
# Resized copies: widths of a 4:3 box, each in WebP and in JPEG (the fallback).
WIDTHS = (160, 320, 640, 1280)
ASPECT = (4, 3)
FORMATS = (("webp", "image/webp"), ("jpg", "image/jpeg"))
# JPEG segments that carry no personal data: JFIF header, ICC colour profile, Adobe flags.
CLEAN_JPEG_SEGMENTS = {"APP0", "APP2", "APP14"}
# A name we made: a sixteen-hex-digit content hash, maybe a width after it.
HASHED_NAME = re.compile(r"(?:^|/)[0-9a-f]{16}(?:-\d+)?\.[a-z]+$")
# Deflate (a PNG's compression) never packs more than 1032 bytes into one: a PNG smaller
# than its rows of pixels / 1032 is cut short, however plain the picture.
DEFLATE_MAX_RATIO = 1032
# Samples per pixel by a PNG's colour type (grey, RGB, palette, grey+alpha, RGBA).
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# A JPEG spends at least one bit on every 8 × 8 block of its first channel (its Huffman code
# for the block's average); a flat-colour photo from a camera or an editor spends several.
# libjpeg fills what a file cut short before its end marker lacks with grey, without error.
JPEG_MIN_BYTES_PER_BLOCK = 1 / 8


class ImageRefused(ValueError):
    """An image we will not store; the message names the file and says why."""


@dataclass
class Master:
    """A checked, cleaned image ready to store."""

    content: bytes
    extension: str  # ".jpg" or ".png"
    width: int
    height: int
    checksum: str  # sha256 of ``content``
    source_checksum: str  # sha256 of the file as it came in
    image: Image.Image  # decoded, oriented, RGB or RGBA

    def name(self, folder):
        return f"{folder}/{self.checksum[:16]}{self.extension}"


def _size_of(file):
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def _megapixels(pixels):
    return f"{pixels / 1e6:.0f}" if pixels >= 1e7 else f"{pixels / 1e6:.1f}"


def open_checked(file, name):
    """The image in ``file`` decoded, oriented and in RGB or RGBA, with the format it came
    in; ImageRefused (naming ``name``) if it breaks a rule. Nothing is decoded before the
    size, the format and the pixel count from the header have passed."""
    label = str(name) or "the file"
    size = _size_of(file)
    if size > MAX_BYTES:
        raise ImageRefused(
            f"{label} is {size / 1024 / 1024:.1f} MB; an image may be at most "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )
    file.seek(0)
    with warnings.catch_warnings():
        # Pillow's own bomb check only warns below twice its limit; ours is stricter.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(file)
        except Image.DecompressionBombError:
            raise ImageRefused(_too_many_pixels(label)) from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRefused(f"{label} is not an image (JPEG, PNG or WebP).") from None
    if image.format not in ACCEPTED:
        raise ImageRefused(
            f"{label} is a {image.format or 'file'} image; upload a JPEG, PNG or WebP."
        )
    source_format = ACCEPTED[image.format]
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRefused(_too_many_pixels(label, width, height))
    if width < 1 or height < 1:
        raise ImageRefused(f"{label} has no pixels.")
    _refuse_if_cut_short(file, size, label)
    file.seek(0)
    image = Image.open(file)
    try:
        image.load()
        icc_profile = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise ImageRefused(f"{label} is broken or cut short: it cannot be read.") from None
    # Nothing of the file's metadata travels on (EXIF, XMP, text chunks), except the
    # colour profile the pixels need.
    image.info = {"icc_profile": icc_profile} if icc_profile else {}
    return image, source_format


def _refuse_if_cut_short(file, size, label):
    """ImageRefused if ``file`` cannot hold the pixels its header promises, found without a
    full-size canvas: decoding allocates the whole canvas first, so an 86-byte PNG claiming
    40 megapixels would cost hundreds of MB before the decoder found its data missing. A PNG
    must have every chunk whole and be large enough for its rows; a JPEG must be large
    enough for its blocks and decode at an eighth of its size (libjpeg scales while
    decoding, so that canvas is 64 times smaller)."""
    file.seek(0)
    try:
        with Image.open(file) as probe:
            whole = True
            if probe.format == "PNG":
                probe.verify()
                whole = size * DEFLATE_MAX_RATIO >= _png_row_bytes(file, *probe.size)
            elif probe.format in ("JPEG", "MPO"):
                blocks = -(-probe.width // 8) * -(-probe.height // 8)
                whole = size >= blocks * JPEG_MIN_BYTES_PER_BLOCK
                if whole:
                    probe.draft(probe.mode, (max(1, probe.width // 8), max(1, probe.height // 8)))
                    probe.load()
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        whole = False
    if not whole:
        raise ImageRefused(f"{label} is broken or cut short: it cannot be read.")


def _png_row_bytes(file, width, height):
    """The bytes of a PNG's rows before compression, from its header (bit depth and colour
    type follow width and height in IHDR, the first chunk)."""
    file.seek(24)
    depth, colour_type = file.read(2)
    bits = width * depth * PNG_CHANNELS.get(colour_type, 1)
    return height * (1 + (bits + 7) // 8)


def _too_many_pixels(label, width=None, height=None):
    limit = f"an image may have at most {MAX_PIXELS // 1_000_000} megapixels"
    if width is None:
        return f"{label} has far too many pixels; {limit}."
    pixels = width * height
    return (
        f"{label} is {width:,} × {height:,} pixels ({_megapixels(pixels)} megapixels); "
        f"{limit}. Resize it first."
    )


def _is_clean_jpeg(file):
    """True if the JPEG in ``file`` carries nothing but pixels, JFIF and a colour profile:
    no EXIF (GPS, orientation), XMP, IPTC or comment. Such a file is stored as it is."""
    file.seek(0)
    with Image.open(file) as header:
        if header.format != "JPEG" or "comment" in header.info:
            return False
        return all(marker in CLEAN_JPEG_SEGMENTS for marker, _ in header.applist)


def prepare(file, name):
    """Check ``file`` (see ``open_checked``) and make its clean master; ImageRefused if a
    rule is broken. Opaque images become JPEG (kept as they are when already clean),
    transparent ones PNG."""
    image, source_format = open_checked(file, name)
    file.seek(0)
    data = file.read()
    source_checksum = hashlib.sha256(data).hexdigest()
    icc_profile = image.info.get("icc_profile")
    if source_format == "JPEG" and _is_clean_jpeg(io.BytesIO(data)):
        content, extension = data, ".jpg"
    elif image.mode == "RGBA" or source_format == "PNG":
        content, extension = _encode(image, "PNG", icc_profile=icc_profile), ".png"
    else:
        content = _encode(image, "JPEG", quality=90, icc_profile=icc_profile)
        extension = ".jpg"
    checksum = hashlib.sha256(content).hexdigest()
    return Master(content, extension, *image.size, checksum, source_checksum, image)


def narrowed(master, width):
    """``master`` at most ``width`` pixels wide (re-encoded when it was wider): for images
    shown as they are, where no srcset offers smaller copies (a story's body)."""
    if master.width <= width:
        return master
    height = max(1, round(master.height * width / master.width))
    image = master.image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image.info = dict(master.image.info)
    icc_profile = image.info.get("icc_profile")
    if master.extension == ".png":
        content = _encode(image, "PNG", icc_profile=icc_profile)
    else:
        content = _encode(image, "JPEG", quality=88, icc_profile=icc_profile)
    checksum = hashlib.sha256(content).hexdigest()
    return Master(content, master.extension, width, height, checksum, master.source_checksum, image)


def _encode(image, fmt, **options):
    options = {key: value for key, value in options.items() if value is not None}
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# Resized copies.


def box(width):
    """(width, height) of the 4:3 box a copy of ``width`` pixels fills."""
    return width, width * ASPECT[1] // ASPECT[0]


def copy_name(master_name, width, extension):
    """The name of a resized copy of ``master_name``: "devices/x/ab12.jpg" at 320 in WebP
    is "devices/x/ab12-320.webp"."""
    stem = master_name.rsplit(".", 1)[0]
    return f"{stem}-{width}.{extension}"


def copy_names(master_name):
    return [copy_name(master_name, width, ext) for width in WIDTHS for ext, _ in FORMATS]


def fitted(image, size, background):
    """``image`` scaled to fit ``size`` whole, centred on ``background``."""
    scale = min(size[0] / image.width, size[1] / image.height)
    inner = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    resized = image.resize(inner, Image.Resampling.LANCZOS, reducing_gap=3.0)
    canvas = Image.new(background[0], size, background[1])
    offset = ((size[0] - inner[0]) // 2, (size[1] - inner[1]) // 2)
    canvas.paste(resized, offset, resized if resized.mode == "RGBA" else None)
    return canvas


def make_copies(master):
    """{name suffix: bytes} of every resized copy: WebP keeps transparency, the JPEG
    fallback sits on white. Largest first, each made from the one before (fast)."""
    copies = {}
    icc_profile = master.image.info.get("icc_profile")
    source = master.image
    for width in sorted(WIDTHS, reverse=True):
        size = box(width)
        source = fitted(source, size, ("RGBA", (255, 255, 255, 0)))
        copies[(width, "webp")] = _encode(
            source, "WEBP", quality=80, method=4, icc_profile=icc_profile
        )
        flat = Image.new("RGB", size, "white")
        flat.paste(source, (0, 0), source)
        copies[(width, "jpg")] = _encode(
            flat, "JPEG", quality=82, optimize=True, progressive=True, icc_profile=icc_profile
        )
    return copies


# Storage.


def store(name, content, storage=None):
    """Save ``content`` under ``name`` unless a file is already there (names are content
    hashes, so it holds the same bytes); True if this call wrote it."""
    storage = storage or default_storage
    if storage.exists(name):
        return False
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # a parallel writer got there first: keep theirs
        storage.delete(saved)
        return False
    return True


def store_narrowed(file, name, folder, width):
    """Check the uploaded ``file`` (named ``name``), store it clean and at most ``width``
    pixels wide under ``folder``, and return its stored name: for images shown as they are
    (a story's images, an author's photo). Raises ImageRefused."""
    master = narrowed(master_of(file, name), width)
    stored = master.name(folder)
    store(stored, master.content)
    return stored


def store_with_copies(master, folder, storage=None):
    """Store ``master`` and its resized copies under ``folder``; (master name, [names this
    call wrote]) — the caller deletes those if its transaction fails."""
    name = master.name(folder)
    written = []
    if store(name, master.content, storage):
        written.append(name)
    for (width, extension), content in make_copies(master).items():
        copy = copy_name(name, width, extension)
        if store(copy, content, storage):
            written.append(copy)
    return name, written


def delete_files(names, storage=None):
    storage = storage or default_storage
    for name in names:
        storage.delete(name)


# What pages need to show a stored image.


def srcset(master_name, extension, storage=None):
    storage = storage or default_storage
    return ", ".join(
        f"{storage.url(copy_name(master_name, width, extension))} {width}w" for width in WIDTHS
    )


def copy_url(master_name, width, extension="jpg", storage=None):
    return (storage or default_storage).url(copy_name(master_name, width, extension))


def is_hashed(name):
    """True for a name this module made (it never holds another content)."""
    return bool(HASHED_NAME.search(name))


# Forms.


class ImageUploadField(forms.FileField):
    """A file input that applies the image rules when the form is checked: the editor reads
    the refusal (naming the file) beside the field, and a valid upload comes back as its
    clean master (metadata gone, orientation applied) named by its hash, with the decoded
    ``Master`` attached as ``.master`` so saving does not decode it again."""

    default_error_messages = {"invalid_image": "%(reason)s"}

    def __init__(self, *args, **kwargs):
        kwargs.pop("max_length", None)  # a content-hash name is always short
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT_ATTRIBUTE)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            master = prepare(upload, upload.name)
        except ImageRefused as refused:
            raise ValidationError(
                self.error_messages["invalid_image"],
                code="invalid_image",
                params={"reason": str(refused)},
            ) from None
        clean = ContentFile(master.content, name=f"{master.checksum[:16]}{master.extension}")
        clean.master = master
        return clean


class ImageInlineFormSet(LoadedRowsFormSet):
    """Rows of uploaded images on an admin page (device photos, story images). A save that
    sends none of them at all (a page opened before the rows existed, a script editing the
    rest) leaves the images as they are instead of failing the whole page."""

    def __init__(self, data=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)


def master_of(file, name):
    """The ``Master`` a form already made for ``file``, else one made now."""
    master = getattr(file, "master", None)
    if master is None:
        master = prepare(file, name)
    return master
