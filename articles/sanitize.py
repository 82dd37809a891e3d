"""The one allowlist for article bodies, applied on every save and again when shown.

See docs/architecture.md, "Bodies and library photos" and "Security": a body may hold only these
tags and attributes, links only to http, https and mailto, and images only from the photo library.
"""

import functools
import re
from html.parser import HTMLParser

import nh3
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy

from .text import strip_bidi

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote",
    "figure", "figcaption", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "caption", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# The editor offers exactly what the sanitiser keeps, so nothing a reporter
# makes is silently thrown away on save. One exception: its Image node takes any
# address; the article form refuses an image from anywhere but the photo library
# (foreign_images()), and the sanitiser drops one that arrives another way.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "Figure": True,
    "Caption": True,
    "Image": True,
    # The photo library's picker (static/photos/editor-photo.js): inserts a library figure, nothing else.
    "LibraryPhoto": {
        "dialogUrl": reverse_lazy("photo_picker:dialog"),
        "title": gettext_lazy("Photo from the library"),
        "errorText": gettext_lazy("The photo library could not be opened. Reload the page and try again."),
    },
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
}


@functools.cache
def library_photo_src():
    """The one image address a body may hold: `/anh/<id>/`, Photo.get_absolute_url (resolved once)."""
    marker = 987654321
    prefix, suffix = reverse("photos:photo", kwargs={"pk": marker}).split(str(marker))
    return re.compile(rf"{re.escape(prefix)}([0-9]+){re.escape(suffix)}")


def _attribute(element, attribute, value):
    # Any other image source would make readers' browsers fetch from another site (a tracker, an
    # intranet address), so the attribute goes here and the image itself in _drop_foreign_images().
    if element == "img" and attribute == "src" and not library_photo_src().fullmatch(value):
        return None
    if element == "a" and attribute == "title" and not value.strip():
        return None  # the editor's link dialog writes title="" when the reporter leaves it empty
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_attribute,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# These work on nh3's own output, where tags are exact: it escapes "<" and ">" inside attribute
# values and text, and drops NUL, so NUL can mark what is removed (tests/test_sanitize.py holds it to this).
_GONE = "\x00"
_SOURCELESS_IMG = re.compile(r'<img\b(?![^>]*\ssrc=")[^>]*>')
_LEFT_EMPTY = re.compile(r"<(p|a)\b[^>]*>\x00+</\1>")
_INNER_FIGURE = re.compile(r"<figure\b[^>]*>(?:(?!<figure\b|</figure>).)*</figure>", re.S)


def _drop_foreign_images(html):
    """Remove images left without a source, with the paragraphs, links and figures that held only them."""
    html = _SOURCELESS_IMG.sub(_GONE, html)
    if _GONE not in html:
        return html
    previous = None
    while html != previous:
        previous = html
        html = _LEFT_EMPTY.sub(_GONE, html)
        # A figure whose image went is dropped with its caption, which described that image.
        html = _INNER_FIGURE.sub(lambda m: _GONE if _GONE in m[0] and "<img" not in m[0] else m[0], html)
    return html.replace(_GONE, "")


class _ImageSources(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def foreign_images(html):
    """The addresses of the body's images that are not library photos: what clean_body() would drop."""
    parser = _ImageSources()
    parser.feed(html or "")
    parser.close()
    return [src for src in parser.sources if not library_photo_src().fullmatch(src)]


def clean_body(html):
    """Sanitise editor HTML: unknown tags and attributes go, their text stays; foreign images go whole."""
    cleaned = _drop_foreign_images(strip_bidi(_cleaner.clean(html or ""))).strip()
    # ProseMirror always leaves one empty paragraph in an empty document.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned
