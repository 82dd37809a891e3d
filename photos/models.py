"""The photo library: one row per picture, its clean master file and the renditions made from it at save time.

What is stored and served (docs/architecture.md, "The photo library"): the master is the upload with its
orientation applied and every piece of metadata dropped, under a name the project makes; renditions and crops
are made from it when it is saved (photos/pipeline.py) and recorded in `renditions`, so a reader's page knows
every address without asking the storage anything.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import staff_link
from articles.text import fold

from .images import validate_photo_file
from .renditions import CROPS, FORMATS, Rendition
from .storage import photo_upload_to

FOCAL_RANGE = [MinValueValidator(0.0), MaxValueValidator(1.0)]
# More words than this in one search are ignored: no caption needs them, and each is a LIKE over the library.
MAX_SEARCH_WORDS = 12


class PhotoQuerySet(models.QuerySet):
    def matching(self, text):
        """Photos whose caption, credit, alt text or file name holds every word of `text`, accents and case aside
        (both sides folded by articles.text.fold, as search_text is)."""
        photos = self
        for word in fold(text).split()[:MAX_SEARCH_WORDS]:
            photos = photos.filter(search_text__contains=word)
        return photos


class Photo(models.Model):
    image = models.ImageField(
        _("image"),
        upload_to=photo_upload_to,
        max_length=255,
        validators=[validate_photo_file],
        blank=True,
        help_text=_(
            "A JPEG, PNG, WebP or AVIF file. Location and camera data are removed on upload. Photos imported from "
            "a text without their file stay empty until one is added."
        ),
    )
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True, help_text=_("For example: Ảnh: Minh Anh."))
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_(
            "A short description of what the photo shows, for blind readers. Required before the photo appears "
            "on a live article."
        ),
    )
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True, editable=False)
    # What the stored master is, by its content (JPEG, PNG, WEBP, AVIF), and its size in bytes.
    format = models.CharField(_("format"), max_length=10, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), null=True, blank=True, editable=False)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    # Where the crops centre, as fractions of the width and height (0.5, 0.5: the middle).
    focal_x = models.FloatField(_("focal point (across)"), default=0.5, validators=FOCAL_RANGE)
    focal_y = models.FloatField(_("focal point (down)"), default=0.5, validators=FOCAL_RANGE)
    # {kind: {format: [[width, height, storage name], ...]}} for kind in "w" (the whole picture) and CROPS,
    # written by photos/pipeline.py only.
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    # Caption and credit found in the uploaded file's IPTC/EXIF/XMP: offered to the editor, never served.
    suggested_caption = models.TextField(_("caption found in the file"), blank=True, editable=False)
    suggested_credit = models.CharField(_("credit found in the file"), max_length=200, blank=True, editable=False)
    # Caption, credit, alt text and file name folded (no accents, đ→d, lower case), for the library's search.
    search_text = models.TextField(blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    uploaded_by = staff_link(_("uploaded by"))

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        label = self.caption or self.original_filename or gettext("Photo #%(number)s") % {"number": self.pk}
        return label if len(label) <= 80 else label[:79] + "…"

    def save(self, *args, **kwargs):
        from . import pipeline

        new_file = pipeline.needs_cleaning(self)
        # A save that fails partway (the database, the storage) leaves none of the files it stored.
        with pipeline.removed_on_failure():
            if new_file:
                # The file becomes a clean master under a name of our making before the row points at it.
                pipeline.clean_upload(self)
            self.search_text = fold(" ".join([self.caption, self.credit, self.alt_text, self.original_filename]))
            super().save(*args, **kwargs)
            if self.format and (new_file or pipeline.crops_outdated(self)):
                pipeline.make_renditions(self)

    def get_absolute_url(self):
        """The stable address a body figure uses; it redirects to the current file."""
        return reverse("photos:photo", kwargs={"pk": self.pk})

    @property
    def description(self):
        """Text for the `alt` attribute: the alt text, else the caption."""
        return self.alt_text or self.caption

    @property
    def is_missing(self):
        """No picture readers could be shown: no file yet, or its renditions not made yet."""
        return not self.image or not self.renditions.get("w")

    def rendition_list(self, kind="w", fmt="jpeg"):
        """The renditions of one kind and format, narrowest first, as Rendition(url, width, height)."""
        return [Rendition.from_stored(entry) for entry in self.renditions.get(kind, {}).get(fmt, [])]

    def srcset(self, kind="w", fmt="jpeg"):
        """`url 320w, url 640w, …` for a srcset attribute."""
        return ", ".join(f"{r.url} {r.width}w" for r in self.rendition_list(kind, fmt))

    def rendition(self, kind="w", fmt="jpeg", width=960):
        """The narrowest rendition at least `width` wide, else the widest there is; None if there is none."""
        renditions = self.rendition_list(kind, fmt)
        return next((r for r in renditions if r.width >= width), renditions[-1] if renditions else None)


__all__ = ["CROPS", "FORMATS", "Photo"]
