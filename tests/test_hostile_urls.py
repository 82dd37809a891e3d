"""Hostile addresses over every public URL pattern: 404 or 400, never a 5xx.

The patterns come from the URL resolver itself (`public_patterns()`), so an address added later is walked
without touching this file. Each pattern is asked for with hostile values in place of each of its parameters
(over-long, odd Unicode, NUL, dot segments, huge and negative numbers, invalid UTF-8) and, at an address that
exists, with hostile query strings (page numbers, 100 KB of search text, 2,000 parameters, NUL, invalid UTF-8).

Django's test client unquotes the path to bytes and hands it on as WSGI does, so `%00` and `%ff%fe` reach
the views as a real server would give them; the query string travels raw. What only a client without a
browser sends (raw NUL, raw non-ASCII bytes, a space in the request line) goes to the live server over a
socket at the end.
"""

import itertools
import re
import socket
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from articles import sharing
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

pytestmark = pytest.mark.django_db

# Not the public site: the admin (its own tests walk its filters), the language switch (a POST), and files.
SKIPPED_PREFIXES = ("admin/", "i18n/", settings.STATIC_URL.strip("/") + "/", settings.MEDIA_URL.strip("/") + "/")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # the route converter's name ("slug", "int", "str", "path"…), or "regex"


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the address itself for an unnamed pattern
    parts: tuple  # literal strings and Params, in order

    @property
    def params(self):
        return [part for part in self.parts if isinstance(part, Param)]

    def address(self, values):
        return "/" + "".join(values[part.name] if isinstance(part, Param) else part for part in self.parts)


ROUTE_PARAM = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>\w+)>")
REGEX_META = re.compile(r"[\\^$.*+?()\[\]{}|]")


def route_parts(route):
    parts, end = [], 0
    for match in ROUTE_PARAM.finditer(route):
        parts += [route[end : match.start()], Param(match["name"], match["kind"] or "str")]
        end = match.end()
    return [*parts, route[end:]]


def regex_parts(regex):
    """A regex of literal text and named groups as parts; anything else fails loudly, to be taught here."""
    regex = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    parts, i = [], 0
    while (start := regex.find("(?P<", i)) != -1:
        parts.append(regex[i:start])
        name = regex[start + 4 : regex.index(">", start)]
        depth, j = 0, start
        while True:  # to the group's closing parenthesis, past nested and escaped ones
            if regex[j] == "\\":
                j += 1
            elif regex[j] in "()":
                depth += 1 if regex[j] == "(" else -1
            j += 1
            if depth == 0:
                break
        parts.append(Param(name, "regex"))
        i = j
    parts.append(regex[i:])
    for part in parts:
        if isinstance(part, str) and REGEX_META.search(part.replace("\\.", "").replace("\\-", "")):
            raise ValueError(f"cannot build addresses for the regex {regex!r}: teach regex_parts() its syntax")
    return [part.replace("\\", "") if isinstance(part, str) else part for part in parts]


def pattern_parts(pattern):
    if isinstance(pattern, RoutePattern):
        return route_parts(str(pattern))
    if isinstance(pattern, RegexPattern):
        return regex_parts(pattern.regex.pattern)
    raise TypeError(f"unknown URL pattern type {type(pattern).__name__}")


def public_patterns(resolver=None, parts=(), namespace="", skipped=SKIPPED_PREFIXES):
    """Every URLPattern under the root resolver, the ninja API's included, but for the skipped prefixes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        here = (*parts, *pattern_parts(entry.pattern))
        leading = "".join(itertools.takewhile(lambda part: isinstance(part, str), here))
        if leading.startswith(skipped):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_patterns(entry, here, inner, skipped)
        elif isinstance(entry, URLPattern):
            merged = []
            for part in here:  # adjacent literals as one string, for readable ids
                if isinstance(part, str) and merged and isinstance(merged[-1], str):
                    merged[-1] += part
                elif part != "":
                    merged.append(part)
            pattern = Pattern("", tuple(merged))
            key = (
                f"{namespace}{entry.name}"
                if entry.name
                else pattern.address({p.name: f"<{p.name}>" for p in pattern.params})
            )
            yield Pattern(key, pattern.parts)


PATTERNS = list(public_patterns())
PARAMETRIZED = [pytest.param(pattern, id=pattern.key) for pattern in PATTERNS]
WITH_PARAMS = [pytest.param(pattern, id=pattern.key) for pattern in PATTERNS if pattern.params]


def nfd(text):
    return quote(unicodedata.normalize("NFD", text))


# As they stand in the address a client sends: percent-escaped where a browser would escape.
HOSTILE_PATH_VALUES = [
    "a" * 300,
    "a" * 5000,
    "-".join(["bai-viet"] * 700),  # a slug of 6,300 characters the slug converter accepts
    quote("\u200fbai\u200e-viet\u202e"),  # RTL and LTR marks, a right-to-left override
    quote("e\u0301\u0301\u0301\u0323\u0323"),  # stacked combining characters
    quote("📰🇻🇳👨‍👩‍👧"),
    quote("１２３"),  # full-width digits
    nfd("việt-nam-đổi-mới"),
    "%00",
    "a%00b",
    "%2e%2e%2f",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%ff%fe",
    "%c0%af",  # an over-long UTF-8 "/"
    "khong-co-dau-nay",
    "-1",
    "0",
    str(10**30),
    "9223372036854775808",  # one past PostgreSQL's bigint
    "2147483648",  # one past its integer
    "abc",
    "1e3",
    "a" * 255 + ".jpg",
    "/".join(["t" * 255] * 20) + ".png",  # long file names in a long path
    "x" * 5000 + ".png",
]

HOSTILE_QUERIES = [
    "trang=-1",
    "trang=0",
    "trang=99999999999999999999",
    "trang=abc",
    "trang=%00",
    "trang=1%00",
    "trang=%EF%BC%92",  # a full-width 2
    "trang=1&trang=2",
    # The keyset pages' cursor (articles/pagination.py): microseconds since 1970, a dash, a story's id.
    "truoc=-1",
    "truoc=1-1",
    "truoc=%00",
    "truoc=1-1%00",
    "truoc=" + "9" * 18 + "-1",  # past what a datetime holds
    "truoc=1-9223372036854775808",  # one past PostgreSQL's bigint
    "truoc=1-" + "9" * 30,
    "truoc=" + "1" * 10_000,
    "truoc=1-1&truoc=1-1",
    "truoc=1-1&trang=2",
    "p=-1",
    "p=99999999999999999999",
    "p=abc",
    "page=-1",
    "page=99999999999999999999",
    "page=abc",
    "limit=-1",
    "limit=99999999999999999999",
    "cursor=%00",
    "cursor=" + "A" * 5000,
    "updated_since=%00",
    "section=" + "a" * 5000,
    "q=" + "a" * 100_000,
    "q=" + "tin+" * 25_000,
    "q=%00",
    "q=" + nfd("Hải Phòng"),
    "%00=%00",
    "%ff%fe=%ff%fe",
    "q=%ff%fe",
    "&".join(["a=1"] * 2000),
    "&".join(f"x{i}=%00" for i in range(2000)),
]


METHODS = ["HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"]


@pytest.fixture
def editor():
    """A superuser without a password: hashing one costs more than the walk of a pattern."""
    return get_user_model().objects.create_superuser("bientap-hostile", email=None, password=None)


@pytest.fixture
def staff_client(editor):
    staff = Client()
    staff.force_login(editor)
    return staff


@pytest.fixture
def site(editor):
    """One of each thing a public address names, and the value each parameter takes to reach it."""
    section, tag, author, organization = make_section(), make_tag(), make_author(), make_organization()
    article = make_article(authors=[author], organizations=[organization], tags=[tag], section=section)
    draft = make_article(live=False)
    token = sharing.token_for(sharing.share_link_create(article=draft, by=editor))
    by_name = {
        "section": section.slug,
        "tag": tag.slug,
        "author": author.slug,
        "organi": organization.slug,
        "article": article.slug,
        "share": token,
        "photo": str(make_photo().pk),
        "sitemap": "articles",
    }
    return by_name


def valid_values(pattern, site):
    """Values that reach a page that exists where the pattern's name says which; otherwise a plain one."""
    name = pattern.key.rsplit(":", 1)[-1]
    for word, value in site.items():
        if word in name:
            return {param.name: value for param in pattern.params}
    return {param.name: "1" if param.kind == "int" else "mot" for param in pattern.params}


def status_of(client, address):
    """The status a reader would get: an exception in a view is its 500, listed with the others."""
    client.raise_request_exception = False
    return client.get(address).status_code


def test_the_walk_finds_every_known_public_address():
    keys = {pattern.key for pattern in PATTERNS}
    known = {
        "articles:home",
        "articles:article",
        "articles:section",
        "articles:tag",
        "articles:author",
        "articles:organization",
        "articles:share",
        "articles:corrections",
        "articles:search",
        "articles:rss",
        "articles:atom",
        "articles:section_rss",
        "articles:tag_atom",
        "articles:author_rss",
        "articles:organization_atom",
        "articles:robots",
        "articles:sitemap_index",
        "articles:sitemap_news",
        "articles:sitemap",
        "api:api-root",
        "api:list_articles",
        "api:get_article",
        "api:list_sections",
        "api:get_section",
        "api:list_tags",
        "api:get_tag",
        "api:list_authors",
        "api:get_author",
        "api:list_organisations",
        "api:get_organisation",
        "api:openapi-json",
        "photos:photo",
        "/favicon.ico",
        "/api/v1/<path>",  # the API's own 404 for any other address under it
    }
    assert known <= keys, sorted(known - keys)
    addresses = [pattern.address({p.name: "x" for p in pattern.params}) for pattern in PATTERNS]
    assert not [a for a in addresses if a.startswith(("/admin/", "/i18n/", "/media/", "/static/"))]
    by_key = {pattern.key: pattern for pattern in PATTERNS}
    assert by_key["articles:article"].address({"slug": "s"}) == "/bai-viet/s/"
    assert by_key["photos:photo"].params == [Param("pk", "int")]
    assert by_key["api:get_article"].address({"slug": "s"}) == "/api/v1/articles/s"


def test_the_walk_builds_addresses_from_regex_patterns_and_refuses_what_it_cannot():
    assert regex_parts(r"^media/(?P<path>.*)$") == ["media/", Param("path", "regex"), ""]
    assert regex_parts(r"^a/(?P<n>[0-9]{1,4}(?:x|y))/b\.txt$") == ["a/", Param("n", "regex"), "/b.txt"]
    with pytest.raises(ValueError):
        regex_parts(r"^a/(\d+)/$")


@pytest.mark.parametrize("pattern", WITH_PARAMS)
def test_hostile_values_in_the_address_are_a_4xx(client, staff_client, site, pattern):
    """Each parameter in turn takes each hostile value, the others a real one; anonymous and as staff."""
    good = valid_values(pattern, site)
    failures = []
    for who, browser in (("anonymous", client), ("staff", staff_client)):
        for param in pattern.params:
            for value in HOSTILE_PATH_VALUES:
                address = pattern.address(good | {param.name: value})
                status = status_of(browser, address)
                if not 400 <= status < 500:
                    failures.append(f"{who} {status} {address[:120]} ({param.name}={value[:40]!r})")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("pattern", PARAMETRIZED)
def test_hostile_query_strings_are_never_a_5xx(client, site, pattern):
    """At an address that exists (or is a plain 404), every hostile query string: a page, a 404 or a 400."""
    address = pattern.address(valid_values(pattern, site))
    failures = []
    for query in HOSTILE_QUERIES:
        status = status_of(client, f"{address}?{query}")
        if status >= 500:
            failures.append(f"{status} {address}?{query[:80]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("pattern", PARAMETRIZED)
def test_every_method_at_every_address_is_never_a_5xx(client, site, pattern):
    """A POST, PUT, DELETE… where only GET is served: a 405 (or 403 for CSRF), never a 500."""
    address = pattern.address(valid_values(pattern, site))
    client.raise_request_exception = False
    statuses = {method: client.generic(method, address).status_code for method in METHODS}
    assert not {method: status for method, status in statuses.items() if status >= 500}, address


def test_hostile_file_names_under_media_are_a_404_or_400(client):
    """The media view (SERVE_MEDIA, on by default) is left out of the walk as a file server, but long and odd
    file names are where a file system answers with an error (ENAMETOOLONG, NUL) rather than "no such file"."""
    media = settings.MEDIA_URL.strip("/") + "/"
    patterns = [p for p in public_patterns(skipped=("admin/", "i18n/")) if p.parts[:1] == (media,)]
    assert len(patterns) == 1
    failures = []
    for value in HOSTILE_PATH_VALUES:
        status = status_of(client, patterns[0].address({"path": value}))
        if status not in (400, 404):  # 400: a path out of MEDIA_ROOT is a SuspiciousFileOperation
            failures.append(f"{status} {value[:60]!r}")
    assert not failures, "\n".join(failures)


def test_the_real_pages_the_walk_starts_from_exist(client, staff_client, site):
    """The walk must reach real pages, or it only tests 404s; and the staff client is staff."""
    by_key = {pattern.key: pattern for pattern in PATTERNS}
    for key in ("articles:article", "articles:section", "articles:tag", "articles:share", "api:get_article"):
        pattern = by_key[key]
        assert client.get(pattern.address(valid_values(pattern, site))).status_code == 200, key
    photo = by_key["photos:photo"].address(valid_values(by_key["photos:photo"], site))
    assert client.get(photo).status_code == 404
    assert staff_client.get(photo).status_code == 302


# Raw bytes over a socket: what the test client would normalise or refuse to send -------------------------

RAW_TARGETS = [
    b"/bai-viet/a\x00b/",
    b"/bai-viet/\xff\xfe/",
    b"/bai-viet/vi\xe1\xbb\x87t/",  # raw UTF-8, unescaped
    b"/tim-kiem/?q=\x00\xff",
    b"/tim-kiem/?q=a b",
    b"/chuyen-muc/x/?trang=\xff",
    b"/dinh-chinh/?truoc=\xff-\x00",
    b"/api/v1/articles?limit=\x00",
    b"/anh/" + str(10**30).encode() + b"/",
    b"/xem-truoc/" + b"%00" * 1000 + b"/",
    b"/" + b"a" * 8000,
    b"/?" + b"&".join([b"trang=1"] * 2000),
]


def raw_status(live_server, target):
    url = urlsplit(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        connection.sendall(
            b"GET " + target + b" HTTP/1.1\r\nHost: " + url.netloc.encode() + b"\r\nConnection: close\r\n\r\n"
        )
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status_line = reply.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/"), status_line
    return int(status_line.split()[1])


@pytest.mark.django_db(transaction=True)
def test_raw_hostile_request_lines_are_never_a_5xx(live_server):
    make_article(section=make_section(slug="x"))
    statuses = {target: raw_status(live_server, target) for target in RAW_TARGETS}
    assert not {target: status for target, status in statuses.items() if status >= 500}
    # Every one of these names nothing: none may be served as a page.
    assert all(status >= 400 for target, status in statuses.items() if not target.startswith((b"/tim-kiem/", b"/?")))
