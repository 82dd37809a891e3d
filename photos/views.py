from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from .models import Photo


def photo_file(request, pk):
    """The stable address of a library photo (used in bodies): redirects staff to its clean master file."""
    if not request.user.is_staff:
        raise Http404
    photo = get_object_or_404(Photo, pk=pk)
    if not photo.image:
        raise Http404("Ảnh chưa có tệp.")
    return redirect(photo.image.url)
