"""Writes to the photo library that carry rules: adding a photo, and deleting one (never from a live story).

Who may do what follows the roles (articles/services.py): reporters and editors upload; only those with
the delete permission (editors) delete, and nobody deletes a photo a live article shows.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Photo
from .usage import live_articles_using


class PhotoInUse(ValidationError):
    """A photo that live articles show; `articles` lists them."""

    def __init__(self, message, articles):
        super().__init__(message, code="photo_in_use")
        self.articles = articles


def can_view(user):
    return user.is_active and user.is_staff and user.has_perm("photos.view_photo")


def can_upload(user):
    return user.is_active and user.is_staff and user.has_perm("photos.add_photo")


def can_change(user, photo):
    """Editors change any photo; a reporter only the ones they uploaded."""
    if not (user.is_active and user.is_staff and user.has_perm("photos.change_photo")):
        return False
    return photo is None or user.has_perm("photos.delete_photo") or photo.uploaded_by_id == user.pk


def can_delete(user):
    return user.is_active and user.is_staff and user.has_perm("photos.delete_photo")


@transaction.atomic
def photo_create(*, file, by, caption="", credit="", alt_text=""):
    """A new library photo from an uploaded file, checked by content and run through the pipeline.

    Raises PermissionDenied, or ValidationError (with the file's message) saving nothing.
    """
    if not can_upload(by):
        raise PermissionDenied(_("You may not add photos to the library."))
    photo = Photo(image=file, caption=caption, credit=credit, alt_text=alt_text, uploaded_by=by)
    photo.original_filename = (getattr(file, "name", "") or "").rsplit("/", 1)[-1][:255]
    photo.full_clean()
    photo.save()
    return photo


def refuse_if_in_use(photos):
    """PhotoInUse if a live article shows any of `photos`."""
    live = list(live_articles_using(photos).order_by("-publish_at")[:50])
    if live:
        titles = "; ".join(article.title for article in live)
        raise PhotoInUse(
            _("Live articles show this photo, so it cannot be deleted: %(titles)s") % {"titles": titles}, live
        )


@transaction.atomic
def photo_delete(*, photo, by):
    """Delete a photo and (after commit) its files; refused for a photo on a live article."""
    if not can_delete(by):
        raise PermissionDenied(_("Only editors may delete photos."))
    refuse_if_in_use([photo])
    photo.delete()
