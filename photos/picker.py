"""The photo picker's endpoints (search the library, upload into it), under /admin/photo-picker/.

The picker dialog (static/photos/picker.js) is one piece used twice: by the body editor's "Photo from the
library" button (static/photos/editor-photo.js) and by the featured photo's chooser (photos/widgets.py). It
asks `dialog/` for its markup once, then `photos/` for pages of results and `upload/` to add photos.
Every answer but the dialog's markup is JSON, refusals included, so the script can always show why.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from articles.text import fold

from .models import MAX_SEARCH_WORDS, Photo
from .services import can_upload, can_view, photo_create

app_name = "photo_picker"

PAGE_SIZE = 24
# A search longer than any caption worth typing is refused rather than folded and matched word by word.
MAX_QUERY_LENGTH = 200
# One upload request; the admin's own limit on files per request (DATA_UPLOAD_MAX_NUMBER_FILES) is higher.
MAX_FILES = 20
THUMBNAIL_WIDTH = 160


def error(message, status):
    return JsonResponse({"error": str(message)}, status=status)


def staff_json(may):
    """Staff for whom `may(user)` (a rule of photos/services.py) holds: anyone not logged in as staff gets the
    admin's login, other staff a JSON 403."""

    def decorator(view):
        def checked(request, *args, **kwargs):
            if not may(request.user):
                return error(_("You may not use the photo library."), 403)
            return view(request, *args, **kwargs)

        # admin_view(): the admin's login for anyone not active staff, CSRF checks, never cached.
        return admin.site.admin_view(checked)

    return decorator


def photo_json(photo):
    """What the picker shows of one photo and what it inserts."""
    thumbnail = None if photo.is_missing else photo.rendition("square", "jpeg", THUMBNAIL_WIDTH * 2)
    return {
        "id": photo.pk,
        "src": photo.get_absolute_url(),
        "label": str(photo),
        "caption": photo.caption,
        "credit": photo.credit,
        "alt_text": photo.alt_text,
        "thumbnail": thumbnail.url if thumbnail else None,
        "width": photo.width,
        "height": photo.height,
        "file_size": photo.file_size,
        "missing": photo.is_missing,
    }


def search_words(query):
    """The folded words of a search, or ValidationError for one no caption could match."""
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(_("The search is too long."))
    if any(ord(character) < 32 for character in query.replace("\t", " ")):
        raise ValidationError(_("The search contains characters that are not allowed."))
    words = fold(query).split()
    if len(words) > MAX_SEARCH_WORDS:
        raise ValidationError(_("The search has too many words."))
    return words


@require_safe
@staff_json(can_view)
def dialog(request):
    """The dialog's markup, in the user's language, added to the page by picker.js the first time it opens."""
    return render(
        request,
        "photos/picker/dialog.html",
        {"can_upload": can_upload(request.user), "max_files": MAX_FILES, "page_size": PAGE_SIZE},
    )


@require_safe
@staff_json(can_view)
def search(request):
    """Library photos, newest first, whose caption, credit, alt text or file name holds every word of `q`."""
    try:
        words = search_words(request.GET.get("q", ""))
    except ValidationError as refused:
        return error(refused.message, 400)
    number = request.GET.get("page", "1")
    if not (number.isascii() and number.isdigit()) or len(number) > 6 or int(number) < 1:
        return error(_("That page number is not valid."), 400)
    photos = Photo.objects.matching(" ".join(words))
    paginator = Paginator(photos.order_by("-uploaded_at", "-pk"), PAGE_SIZE)
    if int(number) > paginator.num_pages:
        return error(_("There is no such page of results."), 404)
    page = paginator.page(int(number))
    if paginator.count:
        summary = ngettext("%(count)d photo", "%(count)d photos", paginator.count) % {"count": paginator.count}
    else:
        summary = _("No photo matches this search.") if words else _("The library has no photos yet.")
    return JsonResponse(
        {
            "count": paginator.count,
            "summary": summary,
            "page": page.number,
            "next_page": page.next_page_number() if page.has_next() else None,
            "results": [photo_json(photo) for photo in page],
        }
    )


class UploadForm(forms.Form):
    """The texts given to every file of one upload; a CharField refuses NUL characters."""

    caption = forms.CharField(label=gettext_lazy("caption"), required=False, max_length=2000)
    credit = forms.CharField(label=gettext_lazy("credit"), required=False, max_length=200)
    alt_text = forms.CharField(label=gettext_lazy("alt text"), required=False, max_length=300)


@require_POST
@staff_json(can_upload)
def upload(request):
    """Each file through photo_create(): a new photo, or the reason it was refused (and nothing saved)."""
    files = request.FILES.getlist("files")
    if not files:
        return error(_("Choose at least one photo to upload."), 400)
    if len(files) > MAX_FILES:
        return error(_("Upload at most %(count)d photos at a time.") % {"count": MAX_FILES}, 400)
    form = UploadForm(request.POST)
    if not form.is_valid():
        messages = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return error(" ".join(messages), 400)
    results = []
    for file in files:
        name = file.name or ""
        try:
            photo = photo_create(file=file, by=request.user, **form.cleaned_data)
        except PermissionDenied as refused:
            return error(refused, 403)
        except ValidationError as refused:
            results.append({"name": name, "ok": False, "error": " ".join(refused.messages)})
        else:
            results.append({"name": name, "ok": True, "photo": photo_json(photo)})
    return JsonResponse({"results": results})


urlpatterns = [
    path("dialog/", dialog, name="dialog"),
    path("photos/", search, name="search"),
    path("upload/", upload, name="upload"),
]
