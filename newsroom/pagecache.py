"""The page cache: what anonymous readers get (pages, feeds, sitemaps, the API) served again without being made
again, and never served once it is wrong.

Three rules make it never wrong:

- **Saves.** Every stored page is filed under the content generation it was made at, a number that rises after
  every commit changing what readers may see (`bump`, on `transaction.on_commit`, from the signals at the end
  of this module). Each request reads the current number where every worker and server reads it: a row in the
  database by default, a key in Redis with REDIS_URL. A page of an older generation is never found again;
  nothing is scanned or deleted, the store's own expiry and eviction drop it.
- **The clock.** A scheduled story goes live, and a live one expires, with no save. A stored page therefore
  lives no longer than the next `publish_at` or `expire_at` of any story (`next_change`), nor longer than
  PAGE_CACHE_SECONDS. `Cache-Control: max-age` carries the same limit to browsers, nginx and CDNs, capped at
  PAGE_MAX_AGE, with `stale-while-revalidate`.
- **Who asks.** Only GET and HEAD requests without a session cookie are served from or stored in the cache,
  and only answers of the reader views in READER_VIEWS: 200s that set no cookie and do not forbid caching
  (a preview says `no-store`). A signed-in user's answer from those views is marked `private, no-store`, so no
  shared cache keeps it. Readers' answers do not vary on Cookie: they are the same whatever cookie comes along.

Where the generation cannot be read (Redis out of reach), the page is made afresh and not stored. A save made
while Redis was away may not have raised the shared number; so after an outage the first request to reach
Redis again raises it once, and pages stored before the outage are not served again.
"""

import hashlib
import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, signals
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, get_conditional_response, get_max_age
from django.utils.http import http_date, parse_http_date_safe

from newsroom.middleware import OUTAGE_ERRORS

logger = logging.getLogger("newsroom.pagecache")

# The views whose answers to anonymous readers are the same for every one of them, by namespace and URL name
# (None: every view of the namespace). The share link (articles:share) is not here: it opens an unpublished
# story to whoever holds the link, and says no-store.
READER_VIEWS = {
    "articles": {
        "home",
        "section",
        "tag",
        "author",
        "organization",
        "article",
        "corrections",
        "search",
        "rss",
        "atom",
        *(f"{kind}_{fmt}" for kind in ("section", "tag", "author", "organization") for fmt in ("rss", "atom")),
        "robots",
        "sitemap_index",
        "sitemap_news",
        "sitemap",
    },
    "api": None,
}
# Headers a stored page keeps; the rest are made again on every answer.
NOT_STORED = {"cache-control", "set-cookie", "x-cache", "age", "date", "expires"}


def is_reader_view(match):
    if match is None or len(match.namespaces) != 1:
        return False
    names = READER_VIEWS.get(match.namespaces[0], ())
    return names is None or match.url_name in names


# The content generation -----------------------------------------------------------------------------------


class DatabaseGeneration:
    """The number in articles.ContentGeneration's one row: one primary-key read per request."""

    def __init__(self):
        from articles.models import ContentGeneration

        self.model = ContentGeneration
        self.using = router.db_for_read(ContentGeneration)
        table = connections[self.using].ops.quote_name(ContentGeneration._meta.db_table)
        self.sql = f"SELECT value FROM {table} WHERE id = 1"

    def current(self):
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql)
            row = cursor.fetchone()
        return row[0] if row else 0

    def lookup(self, key):
        """The generation now, and the page stored at `key` (of whatever generation it was made at)."""
        return self.current(), caches["pages"].get(key)

    def bump(self):
        using = router.db_for_write(self.model)
        if self.model.objects.using(using).filter(pk=1).update(value=F("value") + 1):
            return
        # The row is gone (a flushed database): made again past any number a page could be filed under.
        try:
            with transaction.atomic(using=using):
                self.model.objects.using(using).create(pk=1, value=int(time.time()))
        except IntegrityError:
            self.model.objects.using(using).filter(pk=1).update(value=F("value") + 1)


class RedisGeneration:
    """The number at one key in Redis, raised with INCR, and read with the page in one MGET per request."""

    def __init__(self, cache):
        self.cache = cache
        self.key = cache.make_and_validate_key("generation")
        self.outages_seen = type(cache).outages

    def current(self):
        return self.lookup(None)[0]

    def lookup(self, key):
        keys = [self.key] if key is None else [self.key, self.cache.make_and_validate_key(key)]
        values = self.cache.raw(lambda client: client.mget(keys))
        if values is None:
            return None, None
        if self.outages_seen != type(self.cache).outages:
            # Redis was out of reach since this process last read it: a save in that time may not have
            # raised the number, so raise it now. Every process that saw the outage does so once.
            self.outages_seen = type(self.cache).outages
            return self.cache.raw(lambda client: client.incr(self.key)), None
        stored = values[1] if key is not None else None
        return int(values[0] or 0), None if stored is None else self.cache._cache._serializer.loads(stored)

    def bump(self):
        if self.cache.raw(lambda client: client.incr(self.key)) is None:
            logger.warning("A save could not raise the page generation in Redis; it is raised when Redis is back.")


_generation = None


def generation_store():
    global _generation
    if _generation is None:
        pages = caches["pages"]
        _generation = RedisGeneration(pages) if hasattr(pages, "raw") else DatabaseGeneration()
    return _generation


def current_generation():
    """The content generation now, or None when it cannot be read (then nothing is served from the cache)."""
    return generation_store().current()


def bump():
    """Raise the content generation: every page stored until now is outdated for every worker and server."""
    generation_store().bump()


def bump_on_commit(using=None):
    """Raise the generation once the current transaction commits (at once outside one); nothing if it rolls back."""
    transaction.on_commit(bump, using=using)


# The clock ------------------------------------------------------------------------------------------------


def next_change(generation=None):
    """When the clock next changes what readers see: the soonest publish_at of a scheduled story or expire_at of
    a live one, as a POSIX timestamp, or None if no story waits for either.

    Two reads, one per index (articles/querysets.py). Kept per generation (the save that schedules
    a story or sets an expiry raises it) until the moment it names has passed; read afresh when `generation`
    is None."""
    from articles.models import Article

    pages = caches["pages"]
    key = f"clock:{generation}"
    if generation is not None:
        kept = pages.get(key)
        if kept is not None and (kept == 0 or kept > time.time()):
            return kept or None
    moments = [Article.objects.next_publish_at(), Article.objects.next_expire_at()]
    soonest = min((moment.timestamp() for moment in moments if moment is not None), default=None)
    if generation is not None:
        pages.set(key, soonest or 0, settings.PAGE_CACHE_SECONDS or None)
    return soonest


def _unless_outage(read, default=None):
    """`read()`, or `default` while the database is out of reach: the request goes on to the view, whose own
    queries then meet the outage inside OutageMiddleware (newsroom/middleware.py), which answers 503."""
    try:
        return read()
    except OUTAGE_ERRORS:
        return default


# The middleware -------------------------------------------------------------------------------------------


def page_key(environ):
    """One key per address as the WSGI server passed it (path and query string), of a fixed length whatever
    the address; the same from the middleware (request.META) and from the WSGI front (FastPath)."""
    address = "".join(
        (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), "?", environ.get("QUERY_STRING", ""))
    )
    return f"page:{hashlib.sha256(address.encode('utf-8', 'surrogatepass')).hexdigest()[:40]}"


def _passes_by(path):
    """Static files and media are never pages: no generation is read for them."""
    return path.startswith((settings.STATIC_URL, settings.MEDIA_URL))


def _must_redirect(request):
    # SecurityMiddleware, inside, sends plain-http readers to https: nothing is served or stored for them.
    return settings.SECURE_SSL_REDIRECT and not request.is_secure()


def _cache_control_value(until, now, own=None):
    seconds = max(0, min(settings.PAGE_MAX_AGE, int(until - now)))
    if own is not None:
        seconds = min(seconds, own)
    return f"public, max-age={seconds}, stale-while-revalidate={settings.PAGE_STALE_SECONDS}"


def _cache_control(response, until, now):
    # A view's own max-age is kept if shorter (a feed's own clock); any other directive it set is replaced.
    response.headers["Cache-Control"] = _cache_control_value(until, now, get_max_age(response))


def _without_cookie_in_vary(response):
    if "Vary" in response:
        kept = [name.strip() for name in response["Vary"].split(",") if name.strip().lower() != "cookie"]
        if kept:
            response.headers["Vary"] = ", ".join(kept)
        else:
            del response.headers["Vary"]


def _etag(response):
    if response.has_header("ETag"):
        return response["ETag"]
    return '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'


def _may_be_shared(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return False  # a nonce is for one answer only
    directives = {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")}
    return not directives & {"private", "no-store", "no-cache"}


class Stored:
    """A page as the cache keeps it: status, headers and bytes, its validators and the moment it must go.

    Kept as a tuple, the cheapest thing to pickle and unpickle on every answer; the headers as Django's
    response holds them inside (lower-cased name → (name, value)), already checked when first made.
    """

    @staticmethod
    def pack(response, *, etag, last_modified, generation, until):
        headers = {name: pair for name, pair in response.headers._store.items() if name not in NOT_STORED}
        return (response.status_code, headers, response.content, etag, last_modified, generation, until)

    @staticmethod
    def fresh(stored, generation, now):
        """Whether `stored` was made at this generation and its time has not run out."""
        return stored is not None and stored[5] == generation and stored[6] > now

    @staticmethod
    def response(stored, request, now):
        status, headers, content, etag, last_modified, generation, until = stored
        response = HttpResponse(content, status=status)
        response.headers._store.update(headers)
        response.headers._store["cache-control"] = ("Cache-Control", _cache_control_value(until, now))
        response.headers._store["x-cache"] = ("X-Cache", "HIT")
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or _passes_by(request.path_info) or _must_redirect(request):
            return self.get_response(request)
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        generation = key = None
        if settings.PAGE_CACHE and settings.PAGE_CACHE_SECONDS and not signed_in:
            # One address, one key: a page made at an older generation is there until overwritten, never served.
            key = page_key(request.META)
            generation, stored = _unless_outage(lambda: generation_store().lookup(key), (None, None))
            now = time.time()
            if Stored.fresh(stored, generation, now):
                return Stored.response(stored, request, now)
            if generation is None:
                key = None
        response = self.get_response(request)
        if not getattr(request, "_reader_view", False):
            return response
        if signed_in:
            # The same views for staff may show a preview, an edit link, a different byline: theirs alone.
            add_never_cache_headers(response)
            return response
        if not _may_be_shared(response):
            return response
        _without_cookie_in_vary(response)
        if not settings.PAGE_CACHE:
            # Off: every answer is made afresh, and no other cache is told it may keep one either.
            return response
        now = time.time()
        # Redis out of reach: no generation, so nothing is stored, but the answer still says how long it holds.
        try:
            coming = next_change(generation)
        except OUTAGE_ERRORS:
            # The page was made, the database went away since: served as made, neither stored nor public.
            return response
        until = now + max(settings.PAGE_CACHE_SECONDS, settings.PAGE_MAX_AGE)
        if coming is not None:
            until = min(until, coming)
        _cache_control(response, until, now)
        etag = _etag(response)
        last_modified = parse_http_date_safe(response.get("Last-Modified", "")) or int(now)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        if key is not None:
            until = min(until, now + settings.PAGE_CACHE_SECONDS)
            if until > now:
                stored = Stored.pack(
                    response, etag=etag, last_modified=last_modified, generation=generation, until=until
                )
                caches["pages"].set(key, stored, int(until - now) + 1)
                response.headers["X-Cache"] = "MISS"
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._reader_view = is_reader_view(request.resolver_match)


class FastPath:
    """The WSGI application, with stored pages served before Django builds a request (newsroom/wsgi.py).

    A stored page's headers are the whole answer as the middleware stack made it (PageCacheMiddleware is the
    outermost middleware), so serving it needs no middleware, no request object and no signal: the cheapest
    answer this server can give, a few hundred microseconds less than the middleware's own hit. Anything it is
    not sure of goes on to Django unchanged, where PageCacheMiddleware applies the same rules in full: a
    conditional request (If-None-Match, If-Modified-Since), a session cookie (or anything that looks like one),
    plain http where https is required, a method other than GET and HEAD, a miss, an outdated page, and an
    outage of the database or of Redis.
    """

    def __init__(self, application):
        self.application = application
        self.cookie = f"{settings.SESSION_COOKIE_NAME}="

    def __call__(self, environ, start_response):
        stored = self.stored(environ)
        if stored is None:
            return self.application(environ, start_response)
        status, headers, content, _, _, _, until = stored
        now = time.time()
        pairs = [pair for name, pair in headers.items() if name != "content-length"]
        pairs += [
            ("Content-Length", str(len(content))),
            ("Cache-Control", _cache_control_value(until, now)),
            ("X-Cache", "HIT"),
        ]
        start_response(f"{status} {HTTPStatus(status).phrase}", pairs)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else content]

    def stored(self, environ):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not settings.PAGE_CACHE:
            return None
        if self.cookie in environ.get("HTTP_COOKIE", "") or "HTTP_IF_NONE_MATCH" in environ:
            return None
        if "HTTP_IF_MODIFIED_SINCE" in environ or not settings.PAGE_CACHE_SECONDS:
            return None
        if settings.SECURE_SSL_REDIRECT and not self.secure(environ):
            return None
        path = environ.get("PATH_INFO", "")
        if _passes_by(path):
            return None
        try:
            generation, stored = generation_store().lookup(page_key(environ))
        except OUTAGE_ERRORS:
            return None  # Django's own request then closes the broken connection and meets the outage
        return stored if Stored.fresh(stored, generation, time.time()) else None

    @staticmethod
    def secure(environ):
        if environ.get("wsgi.url_scheme") == "https":
            return True
        header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        return bool(header) and environ.get(header[0], "").split(",")[0].strip() == header[1]


# What changes readers' pages ------------------------------------------------------------------------------


def _changed(sender, using=None, **kwargs):
    bump_on_commit(using=using)


def connect_signals():
    """Raise the generation after any save or delete of a model readers' pages show, and after any change to
    an article's organisations, tags or authors. Called once, from ArticlesConfig.ready()."""
    from articles.models import Article, ArticleAuthor, Author, Correction, Organization, Section, Tag
    from photos.models import Photo

    for model in (Article, ArticleAuthor, Author, Correction, Organization, Photo, Section, Tag):
        uid = f"pagecache_{model._meta.label_lower}"
        signals.post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}_save")
        signals.post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}_delete")
    for through in (Article.organizations.through, Article.tags.through, Article.authors.through):
        signals.m2m_changed.connect(_changed, sender=through, dispatch_uid=f"pagecache_{through._meta.label_lower}")
