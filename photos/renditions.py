"""Which renditions every photo gets, and how a stored one is read back: the one list both sides use.

photos/pipeline.py makes exactly these when a photo is saved; templates read them from Photo.renditions.
Nothing here touches the storage except to turn a stored name into its address (no file is opened).
"""

from typing import NamedTuple

from django.core.files.storage import default_storage

# The whole picture at these widths (never wider than the master).
WIDTHS = (320, 640, 960, 1280, 1920)
# Every rendition and crop in both formats: WebP for browsers that take it, JPEG for the rest.
FORMATS = ("webp", "jpeg")
# Crops centred on the photo's focal point: (aspect width, aspect height, widths, formats).
CROPS = {
    "card": (16, 9, (320, 640, 960, 1280), FORMATS),  # a story's card on listing pages
    "square": (1, 1, (160, 320, 640), FORMATS),  # thumbnails
    "share": (1200, 630, (1200,), ("jpeg",)),  # the picture social networks show with a shared link
}
KINDS = ("w", *CROPS)


class Rendition(NamedTuple):
    url: str
    width: int
    height: int
    name: str
    # Bytes, as written (feeds' enclosures and the API carry it); None for a row recorded before sizes were.
    size: int | None = None

    @classmethod
    def from_stored(cls, entry):
        """A rendition from its recorded [width, height, name, size] (or [width, height, name] from before)."""
        width, height, name, *rest = entry
        return cls(default_storage.url(name), width, height, name, rest[0] if rest else None)
