"""RSS 2.0 and Atom feeds of the newest live stories: the site's, and each section's, tag's, author's, organisation's.

Short subclasses of django.contrib.syndication over Article.objects.published() (docs/architecture.md, "Feeds").
Every address in them is made from settings.SITE_URL, never from the request's Host header; every text is
cleared of the characters XML 1.0 cannot carry, so a stray control character in a title cannot break a feed.
"""

import hashlib
import re
from collections import namedtuple
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max, Min, Q
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
# Seconds a feed may be kept by a browser or a CDN, fewer when a scheduled story goes live or one expires
# sooner: a feed never shows a story for long after it is taken down, nor misses one long after it goes live.
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
    """A feed generator that clears every text it is given of what XML cannot carry, and dates an empty feed by
    the last change on the site rather than by the clock (which would change its bytes, and ETag, each second)."""

    empty_date = EPOCH

    def __init__(self, **kwargs):
        super().__init__(**{key: _cleaned(value) for key, value in kwargs.items()})

    def add_item(self, **kwargs):
        super().add_item(**{key: _cleaned(value) for key, value in kwargs.items()})

    def latest_post_date(self):
        return super().latest_post_date() if self.items else self.empty_date


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

Changes = namedtuple("Changes", "last fresh_for")


def site_changes():
    """When the site's stories last changed for readers, and for how many seconds that stays true, in one query.

    A feed's contents change when a story is saved (published, edited, archived: updated_at), corrected or
    marked updated (modified_at), reaches its publish_at or its expire_at. Those are taken over every article,
    not only the feed's: a story moved out of a section or untagged leaves that feed with no trace in it.
    """
    now = timezone.now()
    published = Q(status=Article.Status.PUBLISHED)
    times = Article.objects.aggregate(
        saved=Max("updated_at"),
        corrected=Max("modified_at"),
        went_live=Max("publish_at", filter=published & Q(publish_at__lte=now)),
        expired=Max("expire_at", filter=published & Q(expire_at__lte=now)),
        goes_live=Min("publish_at", filter=published & Q(publish_at__gt=now)),
        expires=Min("expire_at", filter=published & Q(expire_at__gt=now)),
    )
    past = [times[key] for key in ("saved", "corrected", "went_live", "expired") if times[key]]
    coming = [times[key] for key in ("goes_live", "expires") if times[key]]
    fresh_for = FRESH_FOR
    if coming:
        fresh_for = max(0, min(fresh_for, int((min(coming) - now).total_seconds())))
    return Changes(min(max(past), now) if past else None, fresh_for)


class ArticleFeed(Feed):
    """The newest live stories of the site, or of one section, tag, author or organisation (`kind`)."""

    language = "vi"

    def __init__(self, kind=None, fmt="rss"):
        self.kind, self.fmt = kind, fmt
        self.scope = SCOPES.get(kind)
        self.feed_type = FORMATS[fmt]

    def __call__(self, request, *args, **kwargs):
        # Django's own __call__, with validators: an ETag over the bytes (any change to them changes it, an
        # author's new name as much as a new story) and Last-Modified from site_changes(), read before the
        # feed is, so that it can only be older than what the feed shows, never newer.
        changes = site_changes()
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as error:
            raise Http404("Không có nguồn tin này.") from error
        feed = self.get_feed(obj, request)
        feed.empty_date = changes.last or EPOCH
        response = HttpResponse(content_type=feed.content_type)
        feed.write(response, "utf-8")
        response.headers["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        last_modified = None
        if changes.last:
            last_modified = int(changes.last.timestamp())
            response.headers["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, max_age=changes.fresh_for)
        return get_conditional_response(
            request, etag=response.headers["ETag"], last_modified=last_modified, response=response
        )

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
        url = rendition.url if rendition.url.startswith(("http://", "https://")) else absolute_url(rendition.url)
        # The byte size where the photo library records it; 0 (unknown, which feed readers accept) otherwise:
        # asking the storage would cost a request to it per photo per feed.
        length = getattr(rendition, "size", None) or 0
        return [feedgenerator.Enclosure(url, str(length), "image/jpeg")]

    def item_extra_kwargs(self, item):
        if item.byline:
            authors = [(item.byline, None)]
        else:
            authors = [(author.name, absolute_url(author.get_absolute_url())) for author in item.author_list]
        return {"authors": authors}


urlpatterns = [path(f"{fmt}/", require_safe(ArticleFeed(fmt=fmt)), name=fmt) for fmt in FORMATS] + [
    path(f"{scope.prefix}/<slug:slug>/{fmt}/", require_safe(ArticleFeed(kind, fmt)), name=f"{kind}_{fmt}")
    for kind, scope in SCOPES.items()
    for fmt in FORMATS
]
