"""How the admin shows a library photo: thumbnails, tiles and crops from its renditions (never the master)."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

# The crops the change page shows, small, with what each is for.
CROP_LABELS = {
    "card": _("Card (16:9)"),
    "square": _("Square (1:1)"),
    "share": _("Sharing (1200×630)"),
}


def missing_badge():
    return format_html('<span class="nr-badge nr-badge-missing">{}</span>', _("Missing file"))


def photo_thumbnail(photo, width):
    """An <img> of a library photo, or a badge saying its file is missing."""
    if photo.is_missing:
        return missing_badge()
    small = photo.rendition("w", "jpeg", width=width * 2)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="nr-thumb" loading="lazy">',
        small.url,
        width,
        max(1, round(width * small.height / small.width)),
        photo.description,
    )


def photo_tile(photo, size=160):
    """The library grid's square picture (its "square" crop), or a tile saying the file is missing."""
    if photo.is_missing:
        return format_html('<span class="nr-tile-missing">{}</span>', missing_badge())
    square = photo.rendition("square", "jpeg", width=size * 2)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="nr-tile-img" loading="lazy">',
        square.url,
        size,
        size,
        photo.description,
    )


def photo_preview(photo, width):
    """A thumbnail with its caption and credit, for change forms."""
    if photo is None:
        return "—"
    caption = " — ".join(part for part in (photo.caption, photo.credit) if part)
    return format_html(
        '<figure class="nr-preview">{}<figcaption>{}</figcaption></figure>',
        photo_thumbnail(photo, width),
        caption or _("(no caption yet)"),
    )


def focal_picker(photo, width=640):
    """The photo with a marker on its focal point; static/photos/focal.js moves it on a click or a tap."""
    if photo.is_missing:
        return missing_badge()
    shown = photo.rendition("w", "jpeg", width=width)
    return format_html(
        '<div class="nr-focal-field"><div class="nr-focal" data-focal-x="{}" data-focal-y="{}">'
        '<img src="{}" width="{}" height="{}" alt="{}" class="nr-focal-img">'
        '<span class="nr-focal-marker" hidden></span></div>'
        '<p class="help nr-focal-help">{}</p></div>',
        photo.focal_x,
        photo.focal_y,
        shown.url,
        shown.width,
        shown.height,
        photo.description,
        _(
            "Click or tap the picture where the crops should centre, or type the two numbers below. Saving makes "
            "the crops again."
        ),
    )


def photo_crops(photo):
    """The crops made from the photo, small: what cards, thumbnails and shared links show."""
    if photo.is_missing:
        return missing_badge()
    crops = []
    for kind, label in CROP_LABELS.items():
        crop = photo.rendition(kind, "jpeg", width=320)
        if crop is not None:
            height = max(1, round(160 * crop.height / crop.width))
            crops.append((crop.url, height, label))
    return format_html(
        '<ul class="nr-crops">{}</ul>',
        format_html_join(
            "",
            '<li><figure><img src="{}" width="160" height="{}" alt="" loading="lazy"><figcaption>{}</figcaption>'
            "</figure></li>",
            crops,
        ),
    )
