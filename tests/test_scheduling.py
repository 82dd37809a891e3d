"""Scheduling by the clock: no cron, no worker, no restart (docs/architecture.md, "Visibility").

One walk over every public surface (reader pages, search, the RSS and Atom feeds, the sitemaps and the JSON
API) proves that a scheduled article is absent until its instant and present from then on, and that expire_at
takes it down the same way. A draft never shows anywhere.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article, make_author, make_organization, make_section, make_tag

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLISH = dt.datetime(2026, 11, 25, 16, 0, tzinfo=VN)
EXPIRE = dt.datetime(2026, 11, 26, 8, 0, tzinfo=VN)


@pytest.fixture(autouse=True, params=["page cache off", "page cache on"])
def page_cache(request, settings):
    """Each walk with the page cache off and on (newsroom/pagecache.py): a stored page must not outlive the
    instant a story goes live or expires."""
    from django.core.cache import caches

    settings.PAGE_CACHE = request.param == "page cache on"
    caches["pages"].clear()
    yield settings.PAGE_CACHE
    caches["pages"].clear()


@pytest.fixture
def newsroom():
    section, author = make_section(name="Thời sự"), make_author(name="Vũ Thảo")
    organization, tag = make_organization(name="Cảng Hải Phòng"), make_tag(name="Cảng biển")
    shared = {"section": section, "authors": [author], "organizations": [organization], "tags": [tag]}
    anchor = make_article(title="Bài đã lên trang", publish_at=PUBLISH - dt.timedelta(days=1), **shared)
    scheduled = make_article(title="Bài hẹn giờ lên trang", publish_at=PUBLISH, expire_at=EXPIRE, **shared)
    draft = make_article(title="Bài còn là bản nháp", live=False, publish_at=PUBLISH, **shared)
    return {"anchor": anchor, "scheduled": scheduled, "draft": draft, **shared, "author": author}


def surfaces(n):
    """Every public page that lists or shows articles, as (name, url) pairs."""
    return [
        ("home", "/"),
        ("section", n["section"].get_absolute_url()),
        ("tag", n["tags"][0].get_absolute_url()),
        ("author", n["author"].get_absolute_url()),
        ("organization", n["organizations"][0].get_absolute_url()),
        ("related stories on another article", n["anchor"].get_absolute_url()),
    ]


def machine_surfaces(n):
    """Every feed, sitemap, search and API address that lists articles, as (name, url) pairs: each names a story
    it shows by the story's address."""
    scoped = {
        "section": n["section"],
        "tag": n["tags"][0],
        "author": n["author"],
        "organization": n["organizations"][0],
    }
    feeds = [("site rss", reverse("articles:rss")), ("site atom", reverse("articles:atom"))]
    feeds += [
        (f"{kind} {fmt}", reverse(f"articles:{kind}_{fmt}", kwargs={"slug": thing.slug}))
        for kind, thing in scoped.items()
        for fmt in ("rss", "atom")
    ]
    api = "/api/v1/articles"
    return [
        *feeds,
        ("search", reverse("articles:search") + "?q=bai"),
        ("articles sitemap", reverse("articles:sitemap", kwargs={"section": "bai-viet"})),
        ("news sitemap", reverse("articles:sitemap_news")),
        ("api list", api),
        ("api list by section", f"{api}?section={n['section'].slug}"),
        ("api list by organisation", f"{api}?organisation={n['organizations'][0].slug}"),
    ]


def visible_on(client, newsroom, article):
    """Where `article` can be seen by an anonymous reader right now."""
    seen = [name for name, url in surfaces(newsroom) if article.title in client.get(url).content.decode()]
    if client.get(article.get_absolute_url()).status_code == 200:
        seen.append("article page")
    for name, url in machine_surfaces(newsroom):
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        if article.get_absolute_url() in response.content.decode():
            seen.append(name)
    if client.get(f"/api/v1/articles/{article.slug}").status_code == 200:
        seen.append("api article")
    return seen


MACHINE = [
    "site rss",
    "site atom",
    *(f"{kind} {fmt}" for kind in ("section", "tag", "author", "organization") for fmt in ("rss", "atom")),
    "search",
    "articles sitemap",
    "news sitemap",
    "api list",
    "api list by section",
    "api list by organisation",
]
ALL = [
    "home",
    "section",
    "tag",
    "author",
    "organization",
    "related stories on another article",
    "article page",
    *MACHINE,
    "api article",
]


def test_scheduled_article_goes_live_on_time_and_expires_on_time(client, newsroom, time_machine, page_cache):
    scheduled = newsroom["scheduled"]

    time_machine.move_to(PUBLISH - dt.timedelta(seconds=1), tick=False)
    assert visible_on(client, newsroom, scheduled) == []
    if page_cache:  # the second walk is served from the store, up to the instant
        assert client.get("/")["X-Cache"] == "HIT"
        assert visible_on(client, newsroom, scheduled) == []
    assert not Article.objects.get(pk=scheduled.pk).is_live

    time_machine.move_to(PUBLISH, tick=False)
    assert visible_on(client, newsroom, scheduled) == ALL
    assert Article.objects.get(pk=scheduled.pk).is_live

    time_machine.move_to(EXPIRE - dt.timedelta(seconds=1), tick=False)
    assert visible_on(client, newsroom, scheduled) == ALL
    assert visible_on(client, newsroom, scheduled) == ALL

    time_machine.move_to(EXPIRE, tick=False)
    assert visible_on(client, newsroom, scheduled) == []


def test_draft_appears_nowhere_at_any_time(client, newsroom, time_machine):
    for moment in (PUBLISH - dt.timedelta(hours=1), PUBLISH, EXPIRE + dt.timedelta(days=30)):
        time_machine.move_to(moment, tick=False)
        assert visible_on(client, newsroom, newsroom["draft"]) == []
