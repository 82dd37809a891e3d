"""Names of stored photo files: made by the project, never taken from the person who uploaded the file.

A master is stored as `photos/YYYY/MM/<slug>-<random>.<ext>`: the slug of the caption or original file name
keeps it readable for staff, the random part (60 bits) keeps an embargoed photo's address from being guessed,
and the extension is the one its content calls for. Its renditions live beside it, in a folder of the same
name.
"""

import secrets

from django.utils import timezone

from articles.text import slugify_vi

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
# A base-32 alphabet with no letters that read like digits.
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def random_part(length=12):
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def master_name(photo, fmt):
    """A new stored name for a photo's master in format `fmt` (JPEG, PNG, WEBP, AVIF)."""
    stem = photo.original_filename.rsplit(".", 1)[0] if photo.original_filename else ""
    slug = slugify_vi(photo.caption or stem, max_length=60) or "anh"
    return f"photos/{timezone.now():%Y/%m}/{slug}-{random_part()}.{EXTENSIONS[fmt]}"


def rendition_name(master, kind, width, fmt, focal=None):
    """Where one rendition of the master stored as `master` goes: `<master without extension>/<kind>-<width>.<ext>`.

    A crop's name also carries the focal point it was cut around (`card-640-f250x500.jpg`), so moving the point
    makes new files under new addresses (a cache holding the old crop never serves it for the new one) and
    the old ones can go after the commit.
    """
    folder = master.rsplit(".", 1)[0]
    extension = "jpg" if fmt == "jpeg" else fmt
    if kind == "w" or focal is None:
        return f"{folder}/{kind}-{width}.{extension}"
    across, down = (round(value * 1000) for value in focal)
    return f"{folder}/{kind}-{width}-f{across}x{down}.{extension}"


def photo_upload_to(instance, filename):
    """Django's upload_to: used only when a file arrives by a way that skips photos/pipeline.py."""
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"photos/{timezone.now():%Y/%m}/{slugify_vi(stem, max_length=60) or 'anh'}-{random_part()}"
