"""Reader listings past their numbered pages: keyset pages, their addresses and their cost (articles/pagination.py).

Most tests shrink the pages (3 stories, 2 numbered pages) so that a few stories reach the keyset pages; the
query budgets do not depend on either size.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles import pagination
from articles.corrections import article_correct
from articles.links import absolute_url
from articles.models import Article
from articles.pagination import cursor_of
from articles.views import ArticleListMixin, CorrectionListView

from .factories import make_article, make_author, make_organization, make_section, make_tag
from .test_corrections import make_user

pytestmark = pytest.mark.django_db

SIZE, NUMBERED = 3, 2
LISTINGS = ["section", "tag", "author", "organization"]
NOW = timezone.now().replace(microsecond=123456)


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(ArticleListMixin, "paginate_by", SIZE)
    monkeypatch.setattr(CorrectionListView, "paginate_by", SIZE)
    monkeypatch.setattr(pagination, "NUMBERED_PAGES", NUMBERED)


def _owner(kind):
    owner = {"section": make_section, "tag": make_tag, "author": make_author, "organization": make_organization}[kind]()
    link = {"section": {"section": owner}, "tag": {"tags": [owner]}, "author": {"authors": [owner]}}
    return owner, link.get(kind, {"organizations": [owner]})


def _listing(kind, count, **extra):
    """A listing with `count` live stories whose publish_at come in threes (ties), newest first by (publish_at, pk)."""
    owner, link = _owner(kind)
    for n in range(count):
        make_article(publish_at=NOW - dt.timedelta(hours=1 + n // 3), **link, **extra)
    return owner, link


def _expected(owner, kind):
    lookup = {"section": "section", "tag": "tags", "author": "authors", "organization": "organizations"}[kind]
    return list(Article.objects.published().filter(**{lookup: owner}).order_by("-publish_at", "-pk"))


def _link(response, rel):
    found = re.search(rf'<link rel="{rel}" href="([^"]+)">', response.content.decode())
    return found[1] if found else None


def _local(url):
    """An absolute page address as the test client asks for it."""
    return url.removeprefix(absolute_url(""))


def _walk(client, path, name="articles"):
    """Every page from the first, by the rel=next links: [(address, response)]."""
    pages, url = [], path
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append((url, response))
        url = _local(_link(response, "next")) if _link(response, "next") else None
        assert len(pages) < 50
    return pages


@pytest.mark.parametrize("kind", LISTINGS)
def test_following_next_shows_every_live_story_once_in_order_across_ties(client, kind):
    owner, link = _listing(kind, 16)
    # Stories that are not live share the live ones' moments, so a wrong boundary would let them in.
    make_article(status=Article.Status.DRAFT, publish_at=NOW - dt.timedelta(hours=2), live=False, **link)
    make_article(publish_at=NOW + dt.timedelta(hours=1), **link)  # scheduled
    make_article(publish_at=NOW - dt.timedelta(hours=3), expire_at=NOW - dt.timedelta(minutes=1), **link)
    pages = _walk(client, owner.get_absolute_url())

    shown = [article for _, response in pages for article in response.context["articles"]]
    assert shown == _expected(owner, kind)
    assert len(shown) == 16 and len(pages) == 6
    addresses = [url for url, _ in pages]
    path = owner.get_absolute_url()
    assert addresses[:2] == [path, f"{path}?trang=2"]
    # Past the numbered pages, each page is named by the last story of the page before it.
    for (url, _), previous in zip(pages[2:], shown[SIZE * 1 + 2 : len(shown) : SIZE], strict=False):
        assert url == f"{path}?truoc={cursor_of(previous.publish_at, previous.pk)}"


@pytest.mark.parametrize("kind", LISTINGS)
def test_each_page_is_its_own_canonical_and_prev_leads_back_the_way_next_came(client, kind):
    owner, _ = _listing(kind, 16)
    pages = _walk(client, owner.get_absolute_url())
    for (url, response), (next_url, next_response) in zip(pages, pages[1:], strict=False):
        assert _link(response, "canonical") == absolute_url(url)
        assert _link(next_response, "prev") == absolute_url(url)
        assert _link(response, "next") == absolute_url(next_url)
    assert _link(pages[0][1], "prev") is None and _link(pages[-1][1], "next") is None
    # The bar under the list says the same as the head's links.
    third_url, third = pages[2]
    assertContains(third, '<a href="?trang=2" rel="prev">← Trang trước</a>', html=True)
    fourth_query = pages[3][0].split("?", 1)[1]
    assertContains(third, f'<a href="?{fourth_query}" rel="next">Trang sau →</a>', html=True)


def test_a_keyset_page_is_named_by_the_date_of_its_first_story(client):
    owner, _ = _listing("section", 10)
    pages = _walk(client, owner.get_absolute_url())
    url, response = pages[2]
    first = response.context["articles"][0]
    label = f"Từ {timezone.localtime(first.publish_at):%d/%m/%Y} trở về trước"
    assertContains(response, f"<title>{owner.name} — {label} — Newsroom Hải Phòng</title>", html=True)
    assertContains(response, f"<h1>{owner.name} — {label}</h1>", html=True)
    assertContains(response, f'<span aria-current="page">{label}</span>', html=True)


def test_a_numbered_page_says_how_many_there_are_while_the_numbered_pages_hold_the_listing(client):
    owner, _ = _listing("tag", 5)
    assertContains(client.get(owner.get_absolute_url()), '<span aria-current="page">Trang 1 / 2</span>', html=True)
    owner, _ = _listing("tag", 7)  # one story past the numbered pages: the count stops there
    assertContains(client.get(owner.get_absolute_url()), '<span aria-current="page">Trang 1</span>', html=True)


def test_an_old_link_to_a_page_number_past_the_numbered_pages_moves_permanently(client):
    owner, _ = _listing("section", 10)
    path = owner.get_absolute_url()
    stories = _expected(owner, "section")
    response = client.get(path, {"trang": 3})
    assert response.status_code == 301
    last_of_page_2 = stories[2 * SIZE - 1]
    assert response["Location"] == f"{path}?truoc={cursor_of(last_of_page_2.publish_at, last_of_page_2.pk)}"
    assert list(client.get(response["Location"]).context["articles"]) == stories[2 * SIZE : 3 * SIZE]
    assert client.get(path, {"trang": 4}).status_code == 301  # its last story alone
    assert client.get(path, {"trang": 5}).status_code == 404  # past the end


def _cursor(article):
    return cursor_of(article.publish_at, article.pk)


def test_cursors_that_name_no_story_of_this_listing_past_its_numbered_pages_are_a_404(client, settings):
    settings.DEBUG = False
    owner, link = _listing("section", 10)
    other, _ = _listing("section", 10)
    path = owner.get_absolute_url()
    stories = _expected(owner, "section")
    deep = stories[7]
    draft = make_article(status=Article.Status.DRAFT, publish_at=deep.publish_at, live=False, **link)
    scheduled = make_article(publish_at=NOW + dt.timedelta(days=1), **link)
    expired = make_article(publish_at=deep.publish_at, expire_at=NOW - dt.timedelta(minutes=1), **link)
    refused = [
        _cursor(_expected(other, "section")[7]),  # another listing's story
        _cursor(draft),
        _cursor(scheduled),
        _cursor(expired),
        _cursor(stories[2]),  # on a numbered page: page 1 shows what follows it
        _cursor(stories[-1]),  # the last story: no page follows it
        cursor_of(deep.publish_at + dt.timedelta(microseconds=1), deep.pk),  # forged: the right id, another moment
        cursor_of(deep.publish_at, 10**17),
    ]
    assert client.get(path, {"truoc": _cursor(deep)}).status_code == 200
    for value in refused:
        response = client.get(path, {"truoc": value})
        assertContains(response, "<h1>Không tìm thấy trang</h1>", html=True, status_code=404)
    assert client.get(path, {"truoc": _cursor(deep), "trang": "2"}).status_code == 404
    assert client.get(f"{path}?truoc={_cursor(deep)}&truoc={_cursor(deep)}").status_code == 404


@pytest.mark.parametrize(
    "value",
    [
        "",
        "-",
        "1",
        "1-",
        "-1",
        "0-0",
        "1-0",
        "01-1",
        "1-01",
        "+1-1",
        "1--1",
        "1.5-1",
        "abc",
        "1-abc",
        "%00",
        "1-1%00",
        "%D9%A1-%D9%A1",  # Arabic-Indic digits, which int() would take
        "9" * 17 + "-1",  # microseconds past the year 5000: a moment no story has
        "9" * 18 + "-1",  # past what datetime holds
        "1-" + "9" * 18,  # past a bigint
        "-" + "9" * 17 + "-1",
        "1" * 10_000,
        "<script>alert(1)</script>",
        " 1-1",
    ],
)
@pytest.mark.parametrize("kind", ["section", "tag"])
def test_hostile_cursors_are_the_designed_404(client, settings, kind, value):
    settings.DEBUG = False
    owner, _ = _listing(kind, 4)
    response = client.get(f"{owner.get_absolute_url()}?truoc={value}")
    assertContains(response, "<h1>Không tìm thấy trang</h1>", html=True, status_code=404)


def test_hostile_cursors_on_the_corrections_page_are_a_404(client, settings):
    settings.DEBUG = False
    for value in ["-1", "%00", "9" * 18 + "-1", "1-" + "9" * 18, "x" * 10_000, "1-1"]:
        assert client.get(f"/dinh-chinh/?truoc={value}").status_code == 404


def test_a_story_before_1970_has_a_cursor_too(client):
    owner, link = _listing("section", 6)
    old = [make_article(publish_at=dt.datetime(1969, 7, 20, 20, 17, 40, 5, tzinfo=dt.UTC), **link) for _ in range(4)]
    pages = _walk(client, owner.get_absolute_url())
    assert [a for _, r in pages for a in r.context["articles"]][-4:] == sorted(old, key=lambda a: -a.pk)
    assert "?truoc=-" in pages[-1][0]


@pytest.fixture
def editor():
    return make_user("bientap", "Biên tập viên")


def test_the_corrections_list_goes_on_in_keyset_pages_by_their_time(client, editor):
    made = []
    for n in range(10):
        article = make_article(publish_at=NOW - dt.timedelta(days=1, minutes=n))
        made.append(article_correct(article=article, by=editor, text=f"Đính chính số {n}."))
    pages = _walk(client, "/dinh-chinh/")
    shown = [c.pk for _, response in pages for c in response.context["corrections"]]
    newest_first = sorted(made, key=lambda c: (c.at, c.pk), reverse=True)
    assert shown == [c.pk for c in newest_first]
    assert "?truoc=" in pages[2][0] and len(pages) == 4


# What each listing costs the database, at the first page and past the numbered pages: the same.
BUDGETS = {"section": 5, "tag": 5, "author": 5, "organization": 5}


@pytest.mark.parametrize("kind", LISTINGS)
def test_a_listing_runs_the_same_queries_on_its_first_page_and_its_deep_ones(client, django_assert_num_queries, kind):
    owner, _ = _listing(kind, 20)
    path = owner.get_absolute_url()
    stories = _expected(owner, kind)
    deep = f"{path}?truoc={_cursor(stories[4 * SIZE - 1])}"
    for url in (path, f"{path}?trang=2", deep):
        client.get(url)  # the navigation's cache filled, as on a running site
        with django_assert_num_queries(BUDGETS[kind]):
            assert client.get(url).status_code == 200


def test_the_corrections_list_runs_the_same_queries_deep(client, editor, django_assert_num_queries):
    for n in range(12):
        article_correct(article=make_article(publish_at=NOW - dt.timedelta(days=1, minutes=n)), by=editor, text="x")
    pages = _walk(client, "/dinh-chinh/")
    for url, _ in (pages[0], pages[3]):
        with django_assert_num_queries(3):
            assert client.get(url).status_code == 200
