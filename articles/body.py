"""Rendering an article body: sanitised again when shown, photos drawn from the library.

Article.save() sanitises the body, but loaddata, QuerySet.update(), bulk_create() and raw SQL write
rows without it; so what is rendered is sanitised here too, whatever wrote the row. The result is
cached by the body's text, so a body is cleaned once per process, not on every view
(docs/architecture.md, "Security").

A figure in the stored body points at a Photo through its stable address
(`/anh/<id>/`, see Photo.get_absolute_url). On render the whole figure is
replaced by the photo's current image, caption and credit, so a corrected
caption is corrected everywhere, and a photo still missing its file is left out.
"""

import functools
import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .sanitize import clean_body, library_photo_src

# Bodies are a few to some tens of kilobytes; the largest are cleaned on every view instead of
# filling the cache (worst case about CACHED_BODIES x MAX_CACHED_LENGTH characters, twice).
CACHED_BODIES = 256
MAX_CACHED_LENGTH = 100_000


@functools.lru_cache(maxsize=CACHED_BODIES)
def _cached_clean(html):
    return clean_body(html)


def safe_body(html):
    """The body as the sanitiser allows it; the same text is cleaned once per process."""
    html = html or ""
    return _cached_clean(html) if len(html) <= MAX_CACHED_LENGTH else clean_body(html)


@functools.cache
def _figures():
    """A library photo's figure (or bare image) in sanitised HTML, built once."""
    src = f'src="{library_photo_src().pattern}"'
    img = rf"<img\b[^>]*{src}[^>]*>"
    figure = rf"<figure\b[^>]*>(?:(?!</figure>).)*?{img}.*?</figure>"
    return re.compile(rf"{figure}|(?:<p>)?{img}(?:</p>)?", re.S)


def photo_ids(html):
    """Ids of the library photos a body shows, in order of appearance."""
    return [int(pk) for pk in library_photo_src().findall(safe_body(html))]


def render_body(html, photos, *, lead=None):
    """The sanitised body with every library photo drawn as a figure; `photos` maps id -> Photo.

    `lead` is the id of the photo that is the page's lead image (the featured photo, when the body places it):
    its first figure is fetched first instead of lazily (templates/photos/_picture.html).
    """
    drawn = set()

    def figure(match):
        pk = int(next(group for group in match.groups() if group))
        photo = photos.get(pk)
        if photo is None or photo.is_missing:
            return ""
        is_lead = pk == lead and pk not in drawn
        drawn.add(pk)
        return render_to_string("articles/_figure.html", {"photo": photo, "lead": is_lead})

    return mark_safe(_figures().sub(figure, safe_body(html)))  # noqa: S308 -- safe_body() is the allowlist's output
