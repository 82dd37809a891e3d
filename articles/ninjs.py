"""Live articles as IPTC ninjs 3.1 news items, the shape the public API serves (docs/architecture.md, "The public API").

ninjs 3.1 is the JSON schema shipped in articles/schemas/; tests/test_api.py validates every response against it.
Everything here reads objects already fetched (articles.api prefetches them): no function below queries the database.
"""

import functools
import html
import re

from django.utils import timezone
from django.utils.html import format_html, format_html_join, strip_tags

from photos.renditions import FORMATS, KINDS

from .body import _figures, photo_ids, safe_body
from .links import absolute_url
from .models import Correction

STANDARD = {
    "name": "ninjs",
    "version": "3.1",
    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
}
CONTENT_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}
# The rendition a body figure's <img src> names; its srcset names every JPEG width.
FIGURE_WIDTH = 960


def iso(moment):
    """A time as the API writes it: ISO 8601 in Vietnam time, with its offset."""
    return timezone.localtime(moment).isoformat()


def media_url(url):
    """A storage address made absolute: local storage answers "/media/…", object storage a full address already."""
    return absolute_url(url) if url.startswith("/") and not url.startswith("//") else url


def byline(article):
    """What the site prints as the byline: the free text, else "A, B và C" from the authors in order."""
    if article.byline:
        return article.byline
    names = [author.name for author in article.author_list]
    return " và ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def body_photo_ids(articles):
    """The ids of every library photo the articles' bodies show, for one Photo.objects.in_bulk()."""
    return {pk for article in articles for pk in photo_ids(article.body)}


def renditions(photo):
    """Every rendition the photo library made of `photo`, named `<kind>-<format>-<width>` ("card-webp-640"), with
    its byte size where the library records one."""
    items = []
    for kind in KINDS:
        for fmt in FORMATS:
            for rendition in photo.rendition_list(kind, fmt):
                item = {
                    "name": f"{kind}-{fmt}-{rendition.width}",
                    "href": media_url(rendition.url),
                    "contentType": CONTENT_TYPES[fmt],
                    "width": rendition.width,
                    "height": rendition.height,
                }
                if size := getattr(rendition, "size", None):
                    item["sizeInBytes"] = size
                items.append(item)
    return items


def picture(photo, name, rel):
    """A library photo as a ninjs picture item, one of an article's associations.

    Caption and credit line are descriptions with the roles agencies give them ("caption", "creditline"); the
    credit is also `by`, ninjs's statement of who made it. ninjs has no property for alt text: it is a
    description with the role "alt-text".
    """
    roles = (("caption", photo.caption), ("creditline", photo.credit), ("alt-text", photo.alt_text))
    descriptions = [{"role": role, "contentType": "text/plain", "value": value} for role, value in roles if value]
    item = {
        "name": name,
        "rel": rel,
        "uri": absolute_url(photo.get_absolute_url()),
        "type": "picture",
        "descriptions": descriptions,
        "altIds": [{"role": "id", "value": str(photo.pk)}],
        "renditions": renditions(photo),
    }
    if photo.credit:
        item["by"] = photo.credit
    return item


def _figure(photo):
    """A body photo as plain HTML with absolute addresses, for sites that show the body as it is."""
    jpeg = photo.rendition_list("w", "jpeg")
    src = photo.rendition("w", "jpeg", FIGURE_WIDTH)
    srcset = format_html_join(", ", "{} {}w", ((media_url(r.url), r.width) for r in jpeg))
    img = format_html(
        '<img src="{}" srcset="{}" width="{}" height="{}" alt="{}">',
        media_url(src.url),
        srcset,
        src.width,
        src.height,
        photo.description,
    )
    if not (photo.caption or photo.credit):
        return format_html("<figure>{}</figure>", img)
    credit = format_html(' <span class="credit">{}</span>', photo.credit) if photo.credit else ""
    return format_html("<figure>{}<figcaption>{}{}</figcaption></figure>", img, photo.caption, credit)


def body_html(article, photos):
    """The sanitised body with each library photo drawn as a <figure> with absolute image addresses.

    The reader page's figures (articles/body.py render_body) carry relative srcsets sized for the site's own
    layout; a partner's page needs addresses that work elsewhere, so the figures are drawn here instead, with the
    photo's current caption and credit as on the site. A photo still missing its file is left out, as there.
    """

    def figure(match):
        photo = photos.get(int(next(group for group in match.groups() if group)))
        return "" if photo is None or photo.is_missing else _figure(photo)

    return _figures().sub(figure, safe_body(article.body))


def body_counts(article):
    """ninjs' charCount and wordCount: the body's text, figures and their captions left out."""
    return dict(_counts(article.body or ""))


@functools.lru_cache(maxsize=256)
def _counts(body):
    # Cached by the body's text, as articles/body.py caches its cleaning: strip_tags() is the slow part of an item.
    text = html.unescape(strip_tags(_figures().sub(" ", safe_body(body))))
    text = re.sub(r"\s+", " ", text).strip()
    return (("charCount", len(text)), ("wordCount", len(text.split())))


def associations(article, photos):
    """The featured photo, then each photo of the body in order, as picture items."""
    items = []
    featured = article.featured_photo
    if featured is not None and not featured.is_missing:
        items.append(picture(featured, "featured-photo", "featured"))
    shown = [photos[pk] for pk in photo_ids(article.body) if pk in photos and not photos[pk].is_missing]
    items += [picture(photo, f"body-photo-{n}", "inline") for n, photo in enumerate(shown, 1)]
    return items


def notes(article):
    """Corrections and updates with a note, oldest first, as the foot of the article page lists them.

    ninjs has no property for corrections; each is a description whose role says which it is. Uses the
    `corrections` prefetched in date order.
    """
    return [
        {"role": note.kind, "contentType": "text/plain", "value": note.text}
        for note in article.corrections.all()
        if note.kind == Correction.Kind.CORRECTION or note.text
    ]


def article_item(article, photos):
    """One live article as a ninjs 3.1 news item; `photos` maps id -> Photo for the body's photos."""
    page = absolute_url(article.get_absolute_url())
    descriptions = [{"role": "summary", "contentType": "text/plain", "value": article.lead}] if article.lead else []
    subjects = []
    if article.section is not None:
        subjects.append(_entity(article.section, "section"))
    subjects += [_entity(tag, "tag") for tag in article.tags.all()]
    item = {
        "uri": page,
        "standard": STANDARD,
        "type": "text",
        "representationType": "full",
        "pubStatus": "usable",
        # One more with each correction or update readers are told of: the versions readers have seen.
        "version": str(1 + len(article.corrections.all())),
        "firstCreated": iso(article.publish_at),
        "versionCreated": iso(article.last_modified),
        "language": "vi",
        "slugline": article.slug,
        "altIds": [{"role": "id", "value": str(article.pk)}],
        "headlines": [{"role": "main", "contentType": "text/plain", "value": article.title}],
        "descriptions": descriptions + notes(article),
        "bodies": [
            {"role": "main", "contentType": "text/html", "value": body_html(article, photos), **body_counts(article)}
        ],
        "people": [_entity(author, "author") for author in article.author_list],
        "subjects": subjects,
        "organisations": [_entity(organization, "mentions") for organization in article.organizations.all()],
        "associations": associations(article, photos),
        "renditions": [{"name": "web", "href": page, "contentType": "text/html"}],
    }
    if by := byline(article):
        item["by"] = by
    if article.expire_at is not None:
        # The take-down time: a partner who republishes the story takes it down then too.
        item["expires"] = iso(article.expire_at)
    return item


def _entity(thing, rel):
    """A section, tag, author or organisation as ninjs names one: its page address, name and slug."""
    return {"name": thing.name, "rel": rel, "uri": absolute_url(thing.get_absolute_url()), "literal": thing.slug}
