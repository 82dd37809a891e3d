"""How the admin shows a library photo: a thumbnail (from its renditions, never the master) and a preview."""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def photo_thumbnail(photo, width):
    """An <img> of a library photo, or a badge saying its file is missing."""
    if photo.is_missing:
        return format_html('<span class="nr-badge nr-badge-missing">{}</span>', _("Missing file"))
    small = photo.rendition("w", "jpeg", width=width * 2)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="nr-thumb" loading="lazy">',
        small.url,
        width,
        max(1, round(width * small.height / small.width)),
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
