"""Image files checked by their content, before anything is decoded.

Pillow reads only a file's header to learn its format and size, so a
decompression bomb (a small file that decodes to billions of pixels) is refused
here without ever being expanded in memory. The admin's photo upload and the
importer both ask `inspect_image()`, so the same limits hold on every way in.
"""

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

# What a photo in the library may be, by what the bytes say, never by the file's name.
FORMATS = {"JPEG", "PNG", "WEBP", "AVIF"}


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
    """Format and size of an image file (a path or an open binary file), or ImageRefused.

    Refuses what is not JPEG, PNG, WebP or GIF by content, what is truncated or
    unreadable, and what has more pixels than settings.PHOTO_MAX_PIXELS (checked
    from the header, before any decoding).
    """
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with warnings.catch_warnings():
            # Our own limit is checked below; Pillow's own warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                info = ImageInfo(image.format, *image.size)
                if info.format not in FORMATS:
                    raise ImageRefused(_("This file is not a JPEG, PNG, WebP or GIF image."))
                _check_pixels(info)
                image.verify()
            if info.format in {"JPEG", "GIF"}:
                _decode_to_the_end(file, position)
    except Image.DecompressionBombError:
        raise ImageRefused(_too_big_message()) from None
    except (OSError, SyntaxError, ValueError) as error:
        if isinstance(error, ImageRefused):
            raise
        raise ImageRefused(_("This file is not a readable image (it may be damaged or incomplete).")) from None
    finally:
        if position is not None:
            file.seek(position)
    return info


def _decode_to_the_end(file, position):
    # verify() checks a PNG or WebP to its last byte but reads only a JPEG's or GIF's header, so one cut off
    # halfway would pass; decoding finds the missing end. The pixel limit is already checked, and a JPEG
    # decodes at 1/8 scale to spare memory. Pillow needs the file opened again after verify().
    if position is not None:
        file.seek(position)
    with Image.open(file) as image:
        if image.format == "JPEG":
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def _check_pixels(info):
    if info.width * info.height > settings.PHOTO_MAX_PIXELS:
        raise ImageRefused(_too_big_message(info))


def _too_big_message(info=None):
    limit = settings.PHOTO_MAX_PIXELS / 1_000_000
    if info is None:
        return _("This image has too many pixels (the limit is %(limit)g megapixels).") % {"limit": limit}
    return _("This image is %(width)d×%(height)d pixels, more than the limit of %(limit)g megapixels.") % {
        "width": info.width,
        "height": info.height,
        "limit": limit,
    }


def validate_photo_file(file):
    """A new upload passes the same checks as an imported photo."""
    if not file or getattr(file, "_committed", True):
        return  # a stored file was checked when it came in; reading it again would fetch it from storage
    try:
        inspect_image(file.file)
    except ImageRefused as refused:
        # A code of its own: with "invalid_image" the admin form would show Django's generic message instead.
        raise ValidationError(refused.reason, code="photo_refused") from None
