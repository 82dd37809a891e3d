"""RSS 2.0 and Atom feeds of the newest live stories: the site's, and each section's, tag's, author's, organisation's.

Short subclasses of django.contrib.syndication over Article.objects.published() (docs/architecture.md, "Feeds").
Every address in them is made from settings.SITE_URL, never from the request's Host header; every text is
cleared of the characters XML 1.0 cannot carry, so a stray control character in a title cannot break a feed.
"""

import hashlib
import re
from collections import namedtuple
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import feedgenerator, timezone
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .links import absolute_url
from .models import Article, Author, Organization, Section, Tag

ITEMS = 20
# The picture a feed reader shows with a story: the whole photo, this wide, as JPEG (every reader takes it).
ENCLOSURE_WIDTH = 1280
# Seconds a feed may be kept by a browser or a CDN, fewer when a scheduled story goes live or one in the feed
# expires sooner: a feed never shows a story past its expire_at, nor misses one long after it goes live.
FRESH_FOR = 120
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

# What XML 1.0 forbids in a document (most C0 controls, lone surrogates, U+FFFE/U+FFFF). Django's feed writer
# refuses the controls in text with an error (a 500) and would write them into attributes unchecked.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """`value` without the characters an XML 1.0 document cannot contain."""
    return NOT_XML.sub("", value)


def _cleaned(value):
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_cleaned(part) for part in value)
    return value


class CleanTextMixin:
    """A feed generator that clears every text it is given of what XML cannot carry, and dates an empty feed by a
    fixed date rather than by the clock (which would change its bytes, and ETag, every second)."""

    def __init__(self, **kwargs):
        super().__init__(**{key: _cleaned(value) for key, value in kwargs.items()})

    def add_item(self, **kwargs):
        super().add_item(**{key: _cleaned(value) for key, value in kwargs.items()})

    def latest_post_date(self):
        return super().latest_post_date() if self.items else EPOCH


class RssFeed(CleanTextMixin, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with a dc:creator for each author (RSS's own <author> takes one e-mail address)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _link in item["authors"]:
            handler.addQuickElement("dc:creator", name)


class AtomFeed(CleanTextMixin, feedgenerator.Atom1Feed):
    """Atom with an <author> for each author, linking their page."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if link:
                handler.addQuickElement("uri", link)
            handler.endElement("author")


Scope = namedtuple("Scope", "model prefix label lookup")
# The lists a feed can follow besides the whole site's: the model, its pages' prefix, and its articles.
SCOPES = {
    "section": Scope(Section, "chuyen-muc", "Chuyên mục", "section"),
    "tag": Scope(Tag, "tu-khoa", "Từ khóa", "tags"),
    "author": Scope(Author, "tac-gia", "Tác giả", "authors"),
    "organization": Scope(Organization, "to-chuc", "Tổ chức", "organizations"),
}
FORMATS = {"rss": RssFeed, "atom": AtomFeed}

# How long the shared cache remembers since when a feed has been unchanged; forgetting only dates it anew.
SINCE_KEPT = 7 * 24 * 60 * 60


def unchanged_since(path, etag):
    """Since when the feed at `path` has served the bytes `etag` names, as a POSIX timestamp, from the shared cache.

    The moment a feed is first served with other bytes than before becomes its Last-Modified: exact by
    construction, whatever changed them (a story published, corrected, edited, expired or taken down, an
    author renamed, a photo remade), with no query. Every surprise moves the date forward, never back: a
    forgotten entry, a race between two servers, a return to earlier bytes each date the feed anew, which costs
    a client one more download, never a 304 it should not get. Strictly later than the last date, so that two
    changes within a second still give two dates.
    """
    key = "feeds:since:" + hashlib.sha256(path.encode()).hexdigest()[:32]
    stored = cache.get(key)
    if stored and stored[0] == etag:
        return stored[1]
    now = int(timezone.now().timestamp())
    since = max(now, stored[1] + 1) if stored else now
    cache.set(key, (etag, since), SINCE_KEPT)
    return since


def fresh_for(feed):
    """Seconds caches may keep `feed`: FRESH_FOR, or fewer if a story in it expires or a scheduled one goes live
    sooner (the clock changes the feed then, with no save to mark it)."""
    now = timezone.now()
    coming = [item["expire_at"] for item in feed.items if item["expire_at"]]
    goes_live = Article.objects.next_publish_at()
    if goes_live:
        coming.append(goes_live)
    seconds = FRESH_FOR
    if coming:
        seconds = min(seconds, int((min(coming) - now).total_seconds()))
    return max(0, seconds)


class ArticleFeed(Feed):
    """The newest live stories of the site, or of one section, tag, author or organisation (`kind`)."""

    language = "vi"

    def __init__(self, kind=None, fmt="rss"):
        self.kind, self.fmt = kind, fmt
        self.scope = SCOPES.get(kind)
        self.feed_type = FORMATS[fmt]

    def __call__(self, request, *args, **kwargs):
        # Django's own __call__, with validators: an ETag over the bytes, Last-Modified from unchanged_since(),
        # and a max-age that ends when the clock next changes the feed.
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as error:
            raise Http404("Không có nguồn tin này.") from error
        feed = self.get_feed(obj, request)
        response = HttpResponse(content_type=feed.content_type)
        feed.write(response, "utf-8")
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        last_modified = unchanged_since(request.path, etag)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, max_age=fresh_for(feed))
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)

    def get_object(self, request, slug=None):
        return self.scope.model.objects.get(slug=slug) if self.scope else None

    def url_name(self):
        return f"articles:{self.kind}_{self.fmt}" if self.kind else f"articles:{self.fmt}"

    def title(self, obj):
        return f"{settings.SITE_NAME} — {self.scope.label} {obj.name}" if obj else settings.SITE_NAME

    def description(self, obj):
        return f"Tin mới nhất của {settings.SITE_NAME}" + (f": {self.scope.label.lower()} {obj.name}" if obj else "")

    subtitle = description

    def link(self, obj):
        return absolute_url(obj.get_absolute_url() if obj else reverse("articles:home"))

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name(), kwargs={"slug": obj.slug} if obj else None))

    def feed_guid(self, obj):
        return self.feed_url(obj)

    def author_name(self):
        # Atom asks an author of each entry; a story with none is the paper's own.
        return settings.SITE_NAME

    def items(self, obj):
        articles = Article.objects.published()
        if obj is not None:
            articles = articles.filter(**{self.scope.lookup: obj})
        return articles.with_listing_data().prefetch_related("tags").order_by("-publish_at", "-pk")[:ITEMS]

    def item_title(self, item):
        # RSS readers take a title as HTML (Django's own default escapes it for them); Atom's is plain text.
        return escape(item.title) if self.fmt == "rss" else item.title

    def item_description(self, item):
        # RSS's description and Atom's summary (type="html") are HTML: the plain-text lead, escaped.
        return escape(item.lead)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return timezone.localtime(item.publish_at)

    def item_updateddate(self, item):
        return timezone.localtime(item.last_modified)

    def item_categories(self, item):
        names = [item.section.name] if item.section else []
        return names + [tag.name for tag in item.tags.all()]

    def item_enclosures(self, item):
        photo = item.featured_photo
        rendition = photo.rendition("w", "jpeg", ENCLOSURE_WIDTH) if photo and not photo.is_missing else None
        if rendition is None:
            return []
        # A storage gives a path on this site (/media/…), a full address, or one without its scheme (a CDN's).
        url = rendition.url
        if url.startswith("//"):
            url = f"{urlsplit(settings.SITE_URL).scheme}:{url}"
        elif not url.startswith(("http://", "https://")):
            url = absolute_url(url)
        # The byte size the photo library recorded when it wrote the file; 0 (unknown, which feed readers
        # accept) for one recorded before sizes were: asking the storage would cost a request per photo per feed.
        return [feedgenerator.Enclosure(url, str(rendition.size or 0), "image/jpeg")]

    def item_extra_kwargs(self, item):
        if item.byline:
            authors = [(item.byline, None)]
        else:
            authors = [(author.name, absolute_url(author.get_absolute_url())) for author in item.author_list]
        return {"authors": authors, "expire_at": item.expire_at}


urlpatterns = [path(f"{fmt}/", require_safe(ArticleFeed(fmt=fmt)), name=fmt) for fmt in FORMATS] + [
    path(f"{scope.prefix}/<slug:slug>/{fmt}/", require_safe(ArticleFeed(kind, fmt)), name=f"{kind}_{fmt}")
    for kind, scope in SCOPES.items()
    for fmt in FORMATS
]
