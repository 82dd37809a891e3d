"""Rendering an article body: photos in it are drawn from the library when shown.

A figure in the stored body points at a Photo through its stable address
(`/anh/<id>/`, see Photo.get_absolute_url). On render the whole figure is
replaced by the photo's current image, caption and credit, so a corrected
caption is corrected everywhere, and a photo still missing its file is left out.
"""

import functools
import re

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe


@functools.cache
def _patterns():
    """(photo src, figure) regexes, built once: the URL of /anh/<id>/ does not change while running."""
    prefix = re.escape(reverse("articles:photo", kwargs={"pk": 0})).replace("0", r"(\d+)", 1)
    src = rf'src="{prefix}"'
    img = rf"<img\b[^>]*{src}[^>]*>"
    figure = rf"<figure\b[^>]*>(?:(?!</figure>).)*?{img}.*?</figure>"
    return re.compile(src), re.compile(rf"{figure}|(?:<p>)?{img}(?:</p>)?", re.S)


def photo_ids(html):
    """Ids of the library photos a body shows, in order of appearance."""
    src, _ = _patterns()
    return [int(pk) for pk in src.findall(html or "")]


def render_body(html, photos):
    """The body with every library photo drawn as a figure; `photos` maps id -> Photo."""

    def figure(match):
        pk = int(next(group for group in match.groups() if group))
        photo = photos.get(pk)
        if photo is None or photo.is_missing:
            return ""
        return render_to_string("articles/_figure.html", {"photo": photo, "in_body": True})

    # The body was sanitised when it was saved (Article.save); not again on every view.
    _, figures = _patterns()
    return mark_safe(figures.sub(figure, html or ""))  # noqa: S308
