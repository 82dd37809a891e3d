"""The public JSON API at /api/v1/: live articles as IPTC ninjs 3.1, and the sections, tags, authors and organisations
they name (docs/architecture.md, "The public API").

Built on Django Ninja: typed parameters checked before a view runs and an OpenAPI description made from the same
signatures. Every response passes through `http_layer()` below, which gives it an ETag, answers a matching
If-None-Match with 304, and adds the cache and CORS headers. Read-only, anonymous, and the same for everyone: nothing
here reads the session or the user, so a logged-in editor gets exactly what a reader gets.
"""

import functools
import re
from datetime import UTC, date, datetime
from typing import Annotated

from csp.decorators import csp_update
from django.core import signing
from django.db import InterfaceError, OperationalError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import URLPattern, path, re_path
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from ninja import NinjaAPI, Query, Schema, Swagger
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer
from pydantic import WithJsonSchema

from photos.models import Photo

from . import ninjs, querysets
from .links import absolute_url
from .models import Article, Author, Correction, Organization, Section, Tag

# Public data that changes by the minute: a browser or proxy may reuse a response this long, then revalidates
# it with If-None-Match (a 304 costs the same queries but sends no body).
MAX_AGE = 60
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SLUG = r"^[-a-zA-Z0-9_]+$"
DIGITS = re.compile(r"[0-9]+", re.ASCII)
SLUG_MAX = 200
# ISO 8601 with an offset is at most 32 characters ("2024-04-04T13:33:00.123456+07:00"); a little room for more.
MOMENT_MAX = 40
CURSOR_MAX = 200
CURSOR_SALT = "articles.api.cursor"


class JSONUTF8Renderer(JSONRenderer):
    """JSON as UTF-8 text (Vietnamese takes half the bytes of \\u escapes), with U+2028 and U+2029 escaped.

    Both are legal in JSON strings, but JavaScript before ES2019 ends a line at them, so a client that evaluates
    the response as script would break on a headline that holds one.
    """

    json_dumps_params = {"ensure_ascii": False}

    def render(self, request, data, *, response_status):
        text = super().render(request, data, response_status=response_status)
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


api = NinjaAPI(
    title="Newsroom API",
    version="1",
    description=(
        "Read-only, public. Articles are IPTC ninjs 3.1 news items (camelCase; the schema is "
        "articles/schemas/ninjs-schema_3.1.json in the repository). Only live articles appear. Every response has an "
        "ETag and answers a matching If-None-Match with 304. Errors are JSON objects {error, detail} with status 400 "
        "(bad or unknown parameters) or 404 (no such live item). Times are ISO 8601 in Vietnam time (+07:00)."
    ),
    urls_namespace="api",
    renderer=JSONUTF8Renderer(),
    # Swagger UI from the files Django Ninja ships (served as static files), with its config in a JSON block
    # its own script reads: no inline script, and no validator badge fetched from another host. Its stylesheet
    # draws two icons as data: SVG images, which the site's img-src 'self' would block on this page alone.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=csp_update({"img-src": ["data:"]}),
)


class ApiError(Exception):
    def __init__(self, status, error, detail):
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


def error_response(request, status, error, detail):
    return api.create_response(request, {"error": error, "detail": detail}, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return error_response(request, exc.status, exc.error, exc.detail)


@api.exception_handler(ValidationError)
def _invalid_parameter(request, exc):
    detail = "; ".join(f"{error['loc'][-1]}: {error['msg']}" for error in exc.errors)
    return error_response(request, 400, "invalid_parameter", detail)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request, exc):
    # Raised on to newsroom.middleware, which answers every surface's outage with its 503 (with DEBUG on,
    # Django Ninja's own handler for Exception would answer a 500 with the traceback instead).
    raise exc


# Schemas: what the OpenAPI description says each response is -------------------------------------------

NinjsItem = Annotated[
    dict,
    WithJsonSchema(
        {
            "title": "NinjsItem",
            "type": "object",
            "required": ["uri"],
            "description": (
                "An IPTC ninjs 3.1 news item (type text): uri, version, firstCreated, versionCreated, headlines, "
                "bodies (HTML), descriptions (the lead as role summary; corrections as role correction, updates as "
                "role update), by, people (authors), subjects (section and tags), organisations, associations "
                "(the featured photo and the body's photos as picture items with their renditions)."
            ),
        }
    ),
]


class Error(Schema):
    error: str
    detail: str


class ArticlePage(Schema):
    items: list[NinjsItem]
    next: str | None
    nextCursor: str | None  # camelCase, as ninjs's names are


class SectionOut(Schema):
    slug: str
    name: str
    description: str
    position: int
    uri: str


class TagOut(Schema):
    slug: str
    name: str
    uri: str


class AuthorOut(Schema):
    slug: str
    name: str
    bio: str
    uri: str


class OrganisationOut(Schema):
    slug: str
    name: str
    shortName: str
    aliases: list[str]
    description: str
    foundedOn: date | None
    foundingDocument: str
    memberCount: int | None
    website: str
    parent: str | None
    uri: str


def page_of(schema):
    return type(f"{schema.__name__}Page", (Schema,), {"__annotations__": {"items": list[schema], "next": str | None}})


ERRORS = {400: Error, 404: Error}


# Parameters --------------------------------------------------------------------------------------------


def slug_param(description):
    return Query(None, pattern=SLUG, max_length=SLUG_MAX, description=description)


LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
CURSOR = Query(
    None,
    max_length=CURSOR_MAX,
    description="The `nextCursor` of the previous page, as given; anything else is a 400.",
)


def only_params(request, allowed):
    """A parameter the endpoint does not know, or one given twice, is a 400: it would otherwise be ignored silently."""
    for name, values in request.GET.lists():
        if name not in allowed:
            raise ApiError(400, "unknown_parameter", f"Unknown parameter: {name[:50]!r}.")
        if len(values) > 1:
            raise ApiError(400, "repeated_parameter", f"Parameter {name!r} given more than once.")
    # Python's int() would also take "+5", " 5" and "0_5": one page at many addresses, each cached apart.
    if "limit" in request.GET and not DIGITS.fullmatch(request.GET["limit"]):
        raise ApiError(400, "invalid_parameter", "limit: expected a whole number written in digits.")


def parse_moment(value):
    """An ISO 8601 date and time; one without an offset is Vietnam time. Stored times are UTC."""
    try:
        moment = datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        detail = "updated_since: expected an ISO 8601 time, e.g. 2024-04-04T13:33:00+07:00."
        raise ApiError(400, "invalid_parameter", detail) from error


def make_cursor(kind, *key):
    return signing.Signer(salt=CURSOR_SALT).sign_object([kind, *key])


def read_cursor(cursor, kind, size):
    """The `size` key values a cursor made by make_cursor(kind, …) carries. A cursor altered or made elsewhere is a
    400 before anything is read from it (it is signed with SECRET_KEY); one of another listing or ordering too."""
    try:
        value = signing.Signer(salt=CURSOR_SALT).unsign_object(cursor)
    except (signing.BadSignature, ValueError) as error:
        raise ApiError(400, "invalid_cursor", "cursor: not a cursor this API gave out.") from error
    if not isinstance(value, list) or len(value) != 1 + size or value[0] != kind:
        raise ApiError(400, "invalid_cursor", "cursor: it belongs to another listing or ordering.")
    return value[1:]


def next_link(request, cursor):
    params = request.GET.copy()
    params["cursor"] = cursor
    return absolute_url(f"{request.path}?{params.urlencode()}")


# Articles ----------------------------------------------------------------------------------------------

ARTICLE_PARAMS = {"section", "tag", "organisation", "author", "updated_since", "cursor", "limit"}


def live_articles():
    """Live articles with everything a ninjs item shows, in a fixed number of queries whatever their number."""
    return (
        Article.objects.published()
        .with_page_data()
        .prefetch_related(Prefetch("corrections", queryset=Correction.objects.order_by("at", "pk")))
    )


def as_items(articles):
    ids = ninjs.body_photo_ids(articles)
    photos = Photo.objects.in_bulk(ids) if ids else {}
    return [ninjs.article_item(article, photos) for article in articles]


@api.get("/articles", response={200: ArticlePage, 400: Error}, summary="Live articles", tags=["articles"])
def list_articles(
    request,
    section: str = slug_param("Only this section's articles (its slug)."),
    tag: str = slug_param("Only articles with this tag (its slug)."),
    organisation: str = slug_param("Only articles that mention this organisation (its slug)."),
    author: str = slug_param("Only articles by this author (their slug)."),
    updated_since: str = Query(
        None,
        max_length=MOMENT_MAX,
        description=(
            "Only articles first published or last corrected/updated at or after this time (versionCreated >= it), "
            "oldest change first. ISO 8601; without an offset it is Vietnam time (+07:00)."
        ),
    ),
    cursor: str = CURSOR,
    limit: int = LIMIT,
):
    """Newest first by publication time; with `updated_since`, by versionCreated, oldest first, for syncing.

    An unknown slug matches nothing (an empty list), as a section with no live article does. Pages are walked
    with `next` (or `nextCursor`), which stays valid while articles are added or corrected.
    """
    only_params(request, ARTICLE_PARAMS)
    articles = live_articles()
    for value, lookup in ((section, "section__slug"), (tag, "tags__slug"), (organisation, "organizations__slug")):
        if value is not None:
            articles = articles.filter(**{lookup: value})
    if author is not None:
        articles = articles.filter(authors__slug=author)
    if updated_since is not None:
        kind, field = "m", "changed"
        articles = articles.annotate(changed=querysets.last_modified()).filter(changed__gte=parse_moment(updated_since))
        order, after = ("changed", "pk"), "gt"
    else:
        kind, field = "p", "publish_at"
        order, after = ("-publish_at", "-pk"), "lt"
    if cursor is not None:
        moment, pk = read_cursor(cursor, kind, 2)
        try:
            moment, pk = datetime.fromisoformat(moment), int(pk)
        except (TypeError, ValueError) as error:
            raise ApiError(400, "invalid_cursor", "cursor: not a cursor this API gave out.") from error
        articles = articles.filter(Q(**{f"{field}__{after}": moment}) | Q(**{field: moment, f"pk__{after}": pk}))
    page = list(articles.order_by(*order)[: limit + 1])
    more, page = len(page) > limit, page[:limit]
    token = None
    if more:
        last = page[-1]
        token = make_cursor(kind, (last.changed if kind == "m" else last.publish_at).isoformat(), last.pk)
    return {"items": as_items(page), "next": next_link(request, token) if token else None, "nextCursor": token}


@api.get(
    "/articles/{slug:slug}",
    response={200: NinjsItem, **ERRORS},
    summary="One live article, by its slug",
    tags=["articles"],
)
def get_article(request, slug: str):
    """By slug, the story's address on the site (frozen once published); its numeric id is in `altIds`.
    A draft, scheduled, taken-down or expired story is the same 404 as one that never existed."""
    only_params(request, set())
    article = live_articles().filter(slug=slug).first()
    if article is None:
        raise Http404("No live article with this slug.")
    return as_items([article])[0]


# Sections, tags, authors, organisations ------------------------------------------------------------------
# All of them, not only those with live articles: each already has its public page on the site, which lists
# its live stories (or none yet), so listing them tells nothing the site does not.


def page_by_slug(request, queryset, kind, serialize, cursor, limit):
    """One page of `queryset` in slug order (ASCII, so the same order on every database), with a cursor."""
    only_params(request, {"cursor", "limit"})
    if cursor is not None:
        (after,) = read_cursor(cursor, kind, 1)
        queryset = queryset.filter(slug__gt=str(after))
    rows = list(queryset.order_by("slug")[: limit + 1])
    token = make_cursor(kind, rows[limit - 1].slug) if len(rows) > limit else None
    return {"items": [serialize(row) for row in rows[:limit]], "next": next_link(request, token) if token else None}


def one_by_slug(request, queryset, slug, serialize, what):
    only_params(request, set())
    row = queryset.filter(slug=slug).first()
    if row is None:
        raise Http404(f"No {what} with this slug.")
    return serialize(row)


def section_out(section):
    return {
        "slug": section.slug,
        "name": section.name,
        "description": section.description,
        "position": section.position,
        "uri": absolute_url(section.get_absolute_url()),
    }


def tag_out(tag):
    return {"slug": tag.slug, "name": tag.name, "uri": absolute_url(tag.get_absolute_url())}


def author_out(author):
    # The e-mail address and the login account stay out: the site shows neither.
    return {"slug": author.slug, "name": author.name, "bio": author.bio, "uri": absolute_url(author.get_absolute_url())}


def organisation_out(organization):
    return {
        "slug": organization.slug,
        "name": organization.name,
        "shortName": organization.short_name,
        "aliases": organization.alias_list,
        "description": organization.description,
        "foundedOn": organization.founded_on,
        "foundingDocument": organization.founding_document,
        "memberCount": organization.member_count,
        "website": organization.website,
        "parent": organization.parent.slug if organization.parent else None,
        "uri": absolute_url(organization.get_absolute_url()),
    }


@api.get("/sections", response={200: list[SectionOut], 400: Error}, summary="Every section", tags=["sections"])
def list_sections(request):
    """In the navigation bar's order. Not paged: a paper has tens of sections."""
    only_params(request, set())
    return [section_out(section) for section in Section.objects.order_by("position", "name")]


@api.get("/sections/{slug:slug}", response={200: SectionOut, **ERRORS}, summary="One section", tags=["sections"])
def get_section(request, slug: str):
    return one_by_slug(request, Section.objects.all(), slug, section_out, "section")


@api.get("/tags", response={200: page_of(TagOut), 400: Error}, summary="Every tag", tags=["tags"])
def list_tags(request, cursor: str = CURSOR, limit: int = LIMIT):
    return page_by_slug(request, Tag.objects.all(), "t", tag_out, cursor, limit)


@api.get("/tags/{slug:slug}", response={200: TagOut, **ERRORS}, summary="One tag", tags=["tags"])
def get_tag(request, slug: str):
    return one_by_slug(request, Tag.objects.all(), slug, tag_out, "tag")


@api.get("/authors", response={200: page_of(AuthorOut), 400: Error}, summary="Every author", tags=["authors"])
def list_authors(request, cursor: str = CURSOR, limit: int = LIMIT):
    return page_by_slug(request, Author.objects.all(), "a", author_out, cursor, limit)


@api.get("/authors/{slug:slug}", response={200: AuthorOut, **ERRORS}, summary="One author", tags=["authors"])
def get_author(request, slug: str):
    return one_by_slug(request, Author.objects.all(), slug, author_out, "author")


ORGANISATIONS = Organization.objects.select_related("parent")


@api.get(
    "/organisations",
    response={200: page_of(OrganisationOut), 400: Error},
    summary="Every organisation",
    tags=["organisations"],
)
def list_organisations(request, cursor: str = CURSOR, limit: int = LIMIT):
    return page_by_slug(request, ORGANISATIONS.all(), "o", organisation_out, cursor, limit)


@api.get(
    "/organisations/{slug:slug}",
    response={200: OrganisationOut, **ERRORS},
    summary="One organisation",
    tags=["organisations"],
)
def get_organisation(request, slug: str):
    return one_by_slug(request, ORGANISATIONS.all(), slug, organisation_out, "organisation")


# HTTP: validators, caching, CORS -------------------------------------------------------------------------


def http_layer(view):
    """Every API response: an ETag from its body, 304 for a matching If-None-Match, public caching and CORS.

    The ETag is the body's hash, so it changes exactly when the bytes do, whatever changed them (a correction, a
    renamed section, a photo's new caption). Django's get_conditional_response() compares If-None-Match weakly
    and honours `*`, as RFC 9110 asks, and answers only a successful GET or HEAD with 304.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        head = request.method == "HEAD"
        if head:
            # The GET response without its body, as HTTP asks; Django Ninja routes GET only.
            request.method = "GET"
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            response = error_response(request, 405, "method_not_allowed", "Read-only: GET and HEAD only.")
            response["Allow"] = "GET, HEAD"
        if not response.streaming:
            set_response_etag(response)
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        response = get_conditional_response(request, etag=response.get("ETag"), response=response)
        # Public, anonymous, read-only data: any site's script may read it (no credentials are ever involved).
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag"
        if head and not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    return wrapped


def not_found(request, path=""):
    """An address under /api/v1/ that names no endpoint: a JSON 404 like the API's others, not the site's page."""
    return error_response(request, 404, "not_found", "No such endpoint.")


def _wrapped(patterns):
    """Django Ninja's URL patterns behind http_layer(); its root ("api-root", kept for reversing) raises an
    Http404 outside its error handlers, which would be the site's HTML page, so it answers as not_found()."""
    return [
        URLPattern(p.pattern, http_layer(not_found if p.name == "api-root" else p.callback), p.default_args, p.name)
        for p in patterns
    ]


_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    path("", (_wrapped(_patterns), _app_name, _namespace)),
    re_path(r"^(?P<path>.*)$", http_layer(not_found)),
]
