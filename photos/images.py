"""Image files checked by their content, before anything is decoded.

Every way a photo comes in (the admin's upload, the picker, the importer) asks `inspect_image()`, so the same
limits hold everywhere, in this order:

1. the size in bytes (settings.PHOTO_MAX_BYTES), before the file is read;
2. the format, from the bytes only (JPEG, PNG, WebP, AVIF; never the name or the declared type): Pillow is
   asked to recognise these four formats and no other, so its readers for anything else never see the file;
3. the pixel count from the header (settings.PHOTO_MAX_PIXELS), so a decompression bomb (a small file that
   decodes to billions of pixels) is refused without ever being expanded in memory;
4. the file's structure, walked to the image's end: a file cut short is refused, and so is one that carries
   anything after the image (a polyglot: a PNG with an HTML page after its IEND chunk is a valid picture to
   an image reader and a valid page to a browser). A JPEG may end with padding or with further JPEG images
   (the MPF previews and gain maps of cameras and phones);
5. a decode (a JPEG at 1/8 scale), so a damaged picture is refused here and not later, in the pipeline.
"""

import io
import os
import re
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

# What a photo in the library may be, by what the bytes say, never by the file's name.
FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")

NOT_A_PHOTO = _("This file is not a JPEG, PNG, WebP or AVIF image.")
UNREADABLE = _("This file is not a readable image (it may be damaged or incomplete).")
EMPTY = _("This file is empty.")
POLYGLOT = _(
    "This file carries other data after the end of its image. Save the picture again as a plain JPEG, PNG, "
    "WebP or AVIF file and send that."
)


class ImageRefused(ValueError):
    """A file that is not a photo the newsroom accepts; `reason` says why, for the person who sent it."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def inspect_image(file):
    """Format and size of an image file (a path or an open binary file), or ImageRefused saying why not.

    An open file is read from where it stands and left there, for whoever stores it next.
    """
    data = _read(file)
    if not data:
        raise ImageRefused(EMPTY)
    try:
        with warnings.catch_warnings():
            # Our own limit is checked below, from the header; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                # A JPEG with further images in it (MPF: previews, a phone's gain map) is still a JPEG.
                info = ImageInfo("JPEG" if image.format == "MPO" else image.format, *image.size)
                _check_pixels(info)
                _check_structure(info.format, data)
                if info.format == "JPEG":
                    # The first image, at 1/8 scale: libjpeg decodes every byte of its scan, at a fraction of the cost.
                    image.draft("RGB", (max(1, info.width // 8), max(1, info.height // 8)))
                image.load()
    except Image.UnidentifiedImageError:
        # Pillow cannot even read the header of an AVIF or JPEG cut short: its signature tells it was one.
        raise ImageRefused(UNREADABLE if _SIGNATURES.match(data) else NOT_A_PHOTO) from None
    except Image.DecompressionBombError:
        raise ImageRefused(_too_big_message()) from None
    except ImageRefused:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError):
        raise ImageRefused(UNREADABLE) from None
    return info


def _read(file):
    """The file's bytes, refused by size before they are read (at most PHOTO_MAX_BYTES + 1 are)."""
    limit = settings.PHOTO_MAX_BYTES
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return _read(handle)
    position = file.tell()
    size = file.seek(0, os.SEEK_END) - position
    file.seek(position)
    if size > limit:
        raise ImageRefused(_too_large_message(size))
    try:
        data = file.read(limit + 1)
    finally:
        file.seek(position)
    if len(data) > limit:
        raise ImageRefused(_too_large_message(len(data)))
    return data


def _check_pixels(info):
    if info.width * info.height > settings.PHOTO_MAX_PIXELS:
        raise ImageRefused(_too_big_message(info))


def _too_large_message(size):
    return _("This file is %(size)s, more than the limit of %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(settings.PHOTO_MAX_BYTES),
    }


def _too_big_message(info=None):
    limit = settings.PHOTO_MAX_PIXELS / 1_000_000
    if info is None:
        return _("This image has too many pixels (the limit is %(limit)g megapixels).") % {"limit": limit}
    return _("This image is %(width)d×%(height)d pixels, more than the limit of %(limit)g megapixels.") % {
        "width": info.width,
        "height": info.height,
        "limit": limit,
    }


# Structure: where each format's image ends -----------------------------------------

_SIGNATURES = re.compile(rb"\xff\xd8\xff|\x89PNG\r\n\x1a\n|RIFF....WEBP|....ftypavi[fs]", re.DOTALL)
_BOX_TYPE = re.compile(rb"[A-Za-z0-9 ]{4}")


def _check_structure(fmt, data):
    end = {"JPEG": _jpeg_end, "PNG": _png_end, "WEBP": _webp_end, "AVIF": _bmff_end}[fmt](data, 0)
    if end < len(data):
        raise ImageRefused(POLYGLOT)


def _truncated():
    return ImageRefused(UNREADABLE)


def _png_end(data, start):
    """The offset just after the IEND chunk, walking every chunk by its length."""
    position = start + 8  # the signature
    while True:
        if position + 8 > len(data):
            raise _truncated()
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        position += 12 + length
        if position > len(data):
            raise _truncated()
        if kind == b"IEND":
            return position


def _webp_end(data, start):
    """The end the RIFF header declares (a RIFF chunk is padded to an even length)."""
    if len(data) < start + 12:
        raise _truncated()
    (size,) = struct.unpack("<I", data[start + 4 : start + 8])
    end = start + 8 + size + (size & 1)
    if end > len(data):
        raise _truncated()
    return end


def _bmff_end(data, start):
    """The end of the last top-level ISO-BMFF box (ftyp, meta, mdat…), walking them by their sizes."""
    position = start
    while position < len(data):
        if position + 8 > len(data):
            # Too short for a box: not an image's part, so something else appended.
            raise ImageRefused(POLYGLOT)
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        if not _BOX_TYPE.fullmatch(kind):
            raise ImageRefused(POLYGLOT)
        if size == 1:
            if position + 16 > len(data):
                raise _truncated()
            (size,) = struct.unpack(">Q", data[position + 8 : position + 16])
        elif size == 0:
            return len(data)  # "to the end of the file"
        if size < 8:
            raise _truncated()
        if position + size > len(data):
            raise _truncated()
        position += size
    return position


# A marker in entropy-coded data: 0xFF followed by neither a stuffed zero, a restart marker nor fill.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_end(data, start):
    """The offset just after the image's EOI, and after any padding or further JPEG images that follow it."""
    end = _one_jpeg_end(data, start)
    while True:
        padded = end
        while padded < len(data) and data[padded] in (0x00, 0xFF):
            if data[padded : padded + 2] == b"\xff\xd8":
                break
            padded += 1
        if padded == len(data):
            return padded
        if data[padded : padded + 2] != b"\xff\xd8":
            return end  # something that is not an image comes after it
        try:
            end = _one_jpeg_end(data, padded)
        except ImageRefused:
            return end


def _one_jpeg_end(data, start):
    if data[start : start + 2] != b"\xff\xd8":
        raise _truncated()
    position = start + 2
    while True:
        # Segments: 0xFF (and any fill bytes), the marker, then a two-byte length unless it stands alone.
        if position >= len(data) or data[position] != 0xFF:
            raise _truncated()
        while position < len(data) and data[position] == 0xFF:
            position += 1
        if position >= len(data):
            raise _truncated()
        marker = data[position]
        position += 1
        if marker == 0xD9:
            return position
        if marker in _STANDALONE:
            continue
        if position + 2 > len(data):
            raise _truncated()
        (length,) = struct.unpack(">H", data[position : position + 2])
        position += length
        if length < 2 or position > len(data):
            raise _truncated()
        if marker == 0xDA:
            # The scan's data runs to the next marker.
            found = _JPEG_MARKER.search(data, position)
            if found is None:
                raise _truncated()
            position = found.start()


def validate_photo_file(file):
    """A new upload passes the same checks as an imported photo."""
    if not file or getattr(file, "_committed", True):
        return  # a stored file was checked when it came in; reading it again would fetch it from storage
    try:
        inspect_image(file.file)
    except ImageRefused as refused:
        # A code of its own: with "invalid_image" the admin form would show Django's generic message instead.
        raise ValidationError(refused.reason, code="photo_refused") from None
