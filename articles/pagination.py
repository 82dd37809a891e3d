"""Reader listings in pages of 20 that cost the same at the thousandth page as at the first.

A listing's first NUMBERED_PAGES pages are numbered (`?trang=N`, page 1 being the listing's own address). They
are read with OFFSET, which skips at most 80 stories there, and counted only as far as they reach: the
count stops at the first story past the numbered pages, so "Trang 3 / 7" shows on a short listing and a long
one says "Trang 3" without counting 25,000 stories on every request.

Beyond them the pages are keyset ("seek") pages: `?truoc=<µs>-<id>` names the last story of the page before,
by its ordering moment (publish_at, or a correction's `at`) in microseconds since 1970 and its id, and the page
shows the 20 stories that come after it in the listing's order (moment, id), newest first. The database
reads them off an index from that point on, whatever the depth, where OFFSET would walk every story before.
Each page keeps exactly one address:
- a cursor must name a live story of this very listing with exactly that moment, and one that lies past the
  numbered pages (those stories have their page number): anything else, a forged pair, a story of another
  listing, a story since taken down or rescheduled, is a 404, never a page at a second address;
- the cursor is written in one way only (ASCII digits, no leading zeros, no sign but a leading minus for a
  moment before 1970), and `trang` and `truoc` are never combined;
- the previous page's address is found the same way (the story 20 before this page's first), or is the last
  numbered page when the numbered pages come first.
Readers' and search engines' links to page numbers past the numbered pages (they were numbered before) are
answered with a permanent redirect to the keyset page that begins with the same story today: a keyset page
does not drift as stories are published on top, a page number does. Cursors are readable and unsigned on
purpose: the check against the listing is what refuses forgeries, and a key rotation breaks no reader's link.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThanOrEqual
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.encoding import escape_uri_path

NUMBERED_PAGES = 5
PAGE_PARAM = "trang"
CURSOR_PARAM = "truoc"

# A page number as readers' links write it: plain ASCII digits, short enough that no one needs to parse more.
# Python's int() would also take "+2", " 2", "1_0" and other scripts' digits, which would make one page answer
# at many addresses.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}", re.ASCII)
# Microseconds since 1970 (17 digits reach past the year 5000, within Python's datetime) and an id that fits a
# bigint, so that no value reaches the database out of its column's range.
CURSOR = re.compile(r"(0|-?[1-9][0-9]{0,16})-([1-9][0-9]{0,17})", re.ASCII)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

NOT_A_PAGE = "Không có trang này."


class Moved(Exception):
    """An old page number's address, answered with a permanent redirect to `url` (see Seek.get)."""

    def __init__(self, url):
        super().__init__(url)
        self.url = url


def cursor_of(moment, pk):
    """The `truoc` value naming the story at (moment, pk): whole microseconds since 1970, then the id."""
    return f"{(moment - EPOCH) // MICROSECOND}-{pk}"


def parse_cursor(value):
    """(moment, pk) from a `truoc` value written as cursor_of() writes it; anything else is a 404."""
    match = CURSOR.fullmatch(value)
    if not match:
        raise Http404(NOT_A_PAGE)
    try:
        moment = EPOCH + int(match[1]) * MICROSECOND
    except OverflowError as error:
        raise Http404(NOT_A_PAGE) from error
    return moment, int(match[2])


@dataclass
class ListingPage:
    """One page of a listing, as the views and templates/articles/_pagination.html read it.

    `links` holds the query string of the page itself ("canonical") and of its neighbours ("prev", "next"),
    "" being the listing's own address; `hrefs` the same, as the page's own links write them.
    """

    object_list: list
    path: str
    links: dict
    number: int | None = None  # None on a keyset page
    num_pages: int | None = None  # None where the listing goes on past the numbered pages
    label: str = ""  # the page's name in titles and breadcrumbs; "" on page 1
    position: str = field(default="")  # what the pagination bar says about where the reader is

    @property
    def paginator(self):
        return self

    @property
    def hrefs(self):
        return {rel: query or self.path for rel, query in self.links.items() if rel != "canonical"}

    def has_previous(self):
        return "prev" in self.links

    def has_next(self):
        return "next" in self.links

    def has_other_pages(self):
        return self.has_previous() or self.has_next()

    def __len__(self):
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)


def paginate(queryset, params, *, path, page_size, moment="publish_at"):
    """The page of `queryset` (newest first by (moment, pk)) that the query string `params` asks for."""
    queryset = queryset.order_by(f"-{moment}", "-pk")
    cursors = params.getlist(CURSOR_PARAM)
    if cursors:
        if len(cursors) != 1 or PAGE_PARAM in params:
            raise Http404(NOT_A_PAGE)
        return _keyset_page(queryset, parse_cursor(cursors[0]), path=path, page_size=page_size, moment=moment)
    number = params.get(PAGE_PARAM, "1")
    if not PAGE_NUMBER.fullmatch(number):
        raise Http404(NOT_A_PAGE)
    number = int(number)
    if number > NUMBERED_PAGES:
        raise Moved(_moved_address(queryset, number, path=path, page_size=page_size, moment=moment))
    return _numbered_page(queryset, number, path=path, page_size=page_size, moment=moment)


def _numbered_page(queryset, number, *, path, page_size, moment):
    # Counted no further than one story past the numbered pages: enough to know whether they go on. Unordered,
    # so that the database may stop at any such story rather than sort a whole tag's stories first.
    reach = NUMBERED_PAGES * page_size
    count = queryset.order_by()[: reach + 1].count()
    start = (number - 1) * page_size
    if start >= count and number > 1:
        raise Http404(NOT_A_PAGE)
    stories = list(queryset[start : start + page_size])
    links = {"canonical": _numbered(number)}
    if number > 1:
        links["prev"] = _numbered(number - 1)
    if count > start + page_size:
        # The last numbered page hands on to the keyset pages, from its own last story.
        last = stories[-1]
        links["next"] = _numbered(number + 1) if number < NUMBERED_PAGES else _seek(last, moment)
    num_pages = max(1, -(-count // page_size)) if count <= reach else None
    return ListingPage(
        stories,
        path,
        links,
        number=number,
        num_pages=num_pages,
        label=f"Trang {number}" if number > 1 else "",
        position=f"Trang {number} / {num_pages}" if num_pages else f"Trang {number}",
    )


def _moved_address(queryset, number, *, path, page_size, moment):
    """Where an old link to page `number` goes now: the keyset page after the last story of page number - 1."""
    start = (number - 1) * page_size
    keys = list(_keys(queryset, moment)[start - 1 : start + 1])
    if len(keys) < 2:  # no page `number`: it never existed, or the listing has shrunk since
        raise Http404(NOT_A_PAGE)
    return f"{path}?{CURSOR_PARAM}={cursor_of(*keys[0])}"


def _keyset_page(queryset, cursor, *, path, page_size, moment):
    # The cursor's own story comes first, proving it belongs here; then the page, then one more to know of a next.
    rows = list(queryset.filter(TupleLessThanOrEqual(Tuple(F(moment), F("pk")), cursor))[: page_size + 2])
    if not rows or (getattr(rows[0], moment), rows[0].pk) != cursor or len(rows) < 2:
        raise Http404(NOT_A_PAGE)
    stories = rows[1 : page_size + 1]
    # The stories before the cursor, nearest first: as many as tell whether the cursor lies past the numbered
    # pages and, if the page before is a keyset page too, which story names it.
    reach = NUMBERED_PAGES * page_size
    newer = list(
        _keys(queryset.filter(TupleGreaterThan(Tuple(F(moment), F("pk")), cursor)), moment).order_by(moment, "pk")[
            : reach + page_size - 1
        ]
    )
    if len(newer) < reach - 1:  # the cursor's story is on a numbered page: that page is its address
        raise Http404(NOT_A_PAGE)
    links = {"canonical": _seek(rows[0], moment)}
    if len(newer) == reach + page_size - 1:
        links["prev"] = f"?{CURSOR_PARAM}={cursor_of(*newer[page_size - 1])}"
    else:
        links["prev"] = _numbered(NUMBERED_PAGES)
    if len(rows) == page_size + 2:
        links["next"] = _seek(stories[-1], moment)
    first = timezone.localtime(getattr(stories[0], moment)).strftime("%d/%m/%Y")
    label = f"Từ {first} trở về trước"
    return ListingPage(stories, path, links, label=label, position=label)


def _keys(queryset, moment):
    return queryset.prefetch_related(None).values_list(moment, "pk")


def _numbered(number):
    return "" if number == 1 else f"?{PAGE_PARAM}={number}"


def _seek(row, moment):
    return f"?{CURSOR_PARAM}={cursor_of(getattr(row, moment), row.pk)}"


class SeekPagedMixin:
    """For a PagedListMixin view over stories newest first: the pages described above instead of Django's."""

    keyset_moment = "publish_at"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Moved as moved:
            return HttpResponsePermanentRedirect(moved.url)

    def paginate_queryset(self, queryset, page_size):
        path = escape_uri_path(self.request.path)
        page = paginate(queryset, self.request.GET, path=path, page_size=page_size, moment=self.keyset_moment)
        return page, page, page.object_list, page.has_other_pages()
