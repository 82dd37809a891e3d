"""What a page tells search engines and social networks about itself: JSON-LD and OpenGraph/Twitter data.

Pure functions over objects the view has already loaded (bylines, tags, organisations, corrections and photos
come prefetched), returning plain dicts; templates/articles/_json_ld.html and _social_meta.html write them
out (docs/architecture.md, "Sharing and structured data"). Every address is absolute and names the configured
site (articles.links.absolute_url), every time is ISO 8601 in Vietnam time.
"""

import html
import json
import re

from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import strip_tags

from .links import absolute_url
from .templatetags.safe_urls import http_url
from .text import strip_bidi

# About what search results and link previews show before they cut a description.
DESCRIPTION_MAX = 160
# static/img/publisher-logo.png: the masthead's name drawn once, the size news publishers' logos are asked for.
LOGO_PATH = "img/publisher-logo.png"
LOGO_SIZE = (600, 60)
# The crops a story's image is offered in, widest aspect first: the 1200×630 share crop, 16:9 and 1:1.
ARTICLE_IMAGE_KINDS = ("share", "card", "square")
SPACES = re.compile(r"\s+")
# Where one block of the body ends and the next begins, so that their words stay apart once tags are gone.
BLOCK_END = re.compile(r"<(?:/(?:p|h[1-6]|li|blockquote|figcaption|td|th|caption)|br\s*/?|hr\s*/?)\s*>", re.I)
FIGURE = re.compile(r"<figure\b.*?</figure\s*>", re.I | re.S)
# In a <script> element the HTML parser, not JSON, decides where the element ends: "</script>" or "<!--" in
# a title would end it or change how it is read. Escaped as JSON's \u sequences the text means the same to a
# JSON parser and holds no markup; U+2028/2029 are escaped as well, for readers that treat the data as script.
SCRIPT_UNSAFE = str.maketrans({ch: f"\\u{ord(ch):04x}" for ch in "<>&\u2028\u2029"})


# Small pieces ------------------------------------------------------------------


def iso(moment):
    """A time as machine output writes it: ISO 8601 in Vietnam time, with its +07:00 offset."""
    return timezone.localtime(moment).isoformat()


def absolute(url):
    """A file's address as storage gives it ("/media/…", or a CDN's "https://…"), made absolute on the site."""
    if url.startswith("//"):
        return f"{settings.SITE_URL.split(':', 1)[0]}:{url}"
    return absolute_url(url) if url.startswith("/") else url


def plain_text(text):
    """Markup, entities and bidirectional controls out, runs of whitespace made one space."""
    return SPACES.sub(" ", strip_bidi(html.unescape(strip_tags(BLOCK_END.sub(" ", text or ""))))).strip()


def truncated(text, limit=DESCRIPTION_MAX):
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a word boundary not too far back; else cut inside a very long word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def site_description():
    return f"{settings.SITE_NAME}: tin tức Hải Phòng mỗi ngày."


def article_description(article, body):
    """The story's lead as plain text; a story without one is described by its body's first words, else the site.

    `body` is the body as the page shows it (articles.body.render_body: sanitised whatever wrote the row), so
    nothing the page drops, a <script>'s text say, can reach the description. Its photos' captions are left
    out: they describe a picture rather than the story.
    """
    return truncated(plain_text(article.lead) or plain_text(FIGURE.sub(" ", body))) or site_description()


def share_photo(*photos):
    """The first of `photos` readers can be shown that has a share crop; None if none has."""
    return next((p for p in photos if p is not None and not p.is_missing and p.rendition_list("share")), None)


def image_object(rendition):
    return {
        "@type": "ImageObject",
        "url": absolute(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
    }


def widest(photo, kind):
    renditions = photo.rendition_list(kind, "jpeg")
    return renditions[-1] if renditions else None


def publisher():
    """The paper itself, as a NewsMediaOrganization with its logo."""
    width, height = LOGO_SIZE
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "logo": {"@type": "ImageObject", "url": absolute(static(LOGO_PATH)), "width": width, "height": height},
    }


def script_json(data):
    """`data` as JSON that can stand inside <script type="application/ld+json"> whatever its strings hold."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_UNSAFE)


# JSON-LD --------------------------------------------------------------------------


def news_article(article, *, url, description, photo=None, corrections=()):
    """The story as a schema.org NewsArticle.

    The authors are those the page names: each linked Author a Person with the address of their page, or,
    where a free-text byline ("Nhóm phóng viên Thời sự") is shown instead of them, that text as the one
    author's name, a Person without a page (the text may name a team; nothing tells which).
    """
    if article.byline:
        authors = [{"@type": "Person", "name": article.byline}]
    else:
        authors = [
            {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
            for author in article.author_list
        ]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": iso(article.publish_at),
        "dateModified": iso(article.last_modified),
        "inLanguage": "vi",
        "isAccessibleForFree": True,
        "publisher": publisher(),
    }
    if authors:
        data["author"] = authors
    if photo is not None:
        images = [widest(photo, kind) for kind in ARTICLE_IMAGE_KINDS]
        data["image"] = [image_object(rendition) for rendition in images if rendition is not None]
    if article.section:
        data["articleSection"] = article.section.name
    tags = [tag.name for tag in article.tags.all()]
    if tags:
        data["keywords"] = tags
    organizations = [
        {"@type": "Organization", "name": org.name, "url": absolute_url(org.get_absolute_url())}
        for org in article.organizations.all()
    ]
    if organizations:
        data["about"] = organizations
    if corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": note.text, "datePublished": iso(note.at)} for note in corrections
        ]
    return data


def organization(org, *, url):
    """An organisation's facts as a schema.org Organization.

    schema.org has no property for how many members an association has: numberOfEmployees would call
    them staff, and `member` lists the members themselves. The count is given as an interaction statistic
    instead: that many people have joined (JoinAction), with the page's own label as its name.
    """
    data = {"@context": "https://schema.org", "@type": "Organization", "name": org.name, "url": url}
    alternate = list(dict.fromkeys(name for name in [org.short_name, *org.alias_list] if name and name != org.name))
    if alternate:
        data["alternateName"] = alternate
    if org.description:
        data["description"] = plain_text(org.description)
    if org.founded_on:
        # The page gives the year only (many founding dates are known to the year), and so does this.
        data["foundingDate"] = f"{org.founded_on.year:04d}"
    website = http_url(org.website)
    if website:
        data["sameAs"] = [website]
    if org.member_count is not None:
        data["interactionStatistic"] = {
            "@type": "InteractionCounter",
            "name": "Số hội viên",
            "interactionType": "https://schema.org/JoinAction",
            "userInteractionCount": org.member_count,
        }
    logo = widest(org.logo, "square") if org.logo and not org.logo.is_missing else None
    if logo is not None:
        data["logo"] = image_object(logo)
    if org.parent:
        data["parentOrganization"] = {
            "@type": "Organization",
            "name": org.parent.name,
            "url": absolute_url(org.parent.get_absolute_url()),
        }
    return data


def breadcrumbs(trail):
    """A BreadcrumbList from the home page through `trail`, a list of (name, absolute address)."""
    items = [("Trang chủ", absolute_url("/")), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(items, start=1)
        ],
    }


def home_page():
    """The home page's block: the paper as a NewsMediaOrganization."""
    return {"@context": "https://schema.org", **publisher()}


# OpenGraph and Twitter cards ------------------------------------------------------


def social_image(photo, kind):
    """og:image and its facts from the widest `kind` crop of `photo`, or None."""
    if photo is None or photo.is_missing:
        return None
    rendition = widest(photo, kind)
    if rendition is None:
        return None
    return {
        "url": absolute(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": photo.description,
    }


def article_social(article, *, url, description, photo=None):
    """OpenGraph (type article) and Twitter card data for a story; the image is the 1200×630 share crop."""
    return {
        "type": "article",
        "title": article.title,
        "description": description,
        "url": url,
        "image": social_image(photo, "share"),
        "large_image": True,
        "published_time": iso(article.publish_at),
        "modified_time": iso(article.last_modified),
        "section": article.section.name if article.section else "",
        "tags": [tag.name for tag in article.tags.all()],
        # Author pages, as the byline links them; none where a free-text byline is shown instead.
        "authors": [] if article.byline else [absolute_url(a.get_absolute_url()) for a in article.author_list],
    }


def page_social(*, title, description, url, photo=None, og_type="website"):
    """OpenGraph and Twitter card data for a listing or the home page; a portrait or logo is shown square."""
    return {
        "type": og_type,
        "title": title,
        "description": description,
        "url": url,
        "image": social_image(photo, "square"),
        "large_image": False,
    }
