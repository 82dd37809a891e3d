"""Sitemaps, the Google News sitemap and robots.txt (articles/sitemaps.py)."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from articles import sitemaps
from articles.models import Article, Correction

from .factories import make_article, make_author, make_organization, make_section, make_tag

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=VN)
SITE = "https://tin.example.vn"
SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SM, "news": NEWS}
Status = Article.Status
LISTS = {"chuyen-muc": "section", "tu-khoa": "tag", "tac-gia": "author", "to-chuc": "organization"}


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Báo Hải Phòng Thử"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]


def live(hours_ago=3, **kwargs):
    return make_article(**{"publish_at": NOW - timedelta(hours=hours_ago), **kwargs})


def xml(client, address, root_tag="urlset", **headers):
    response = client.get(address, **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{SM}}}{root_tag}"
    return root


def entries(root):
    """{loc: lastmod} of a urlset or a sitemap index."""
    return {
        node.findtext("sm:loc", namespaces=NS): node.findtext("sm:lastmod", namespaces=NS)
        for node in [*root.findall("sm:url", NS), *root.findall("sm:sitemap", NS)]
    }


def story_with_lists(**kwargs):
    section, tag, author, organization = make_section(), make_tag(), make_author(), make_organization()
    article = live(section=section, tags=[tag], authors=[author], organizations=[organization], **kwargs)
    return article, {"chuyen-muc": section, "tu-khoa": tag, "tac-gia": author, "to-chuc": organization}


def correct(article, at):
    """What articles/corrections.py records: a correction, and the article's modified_at moved to its time."""
    Correction.objects.create(article=article, kind=Correction.Kind.CORRECTION, text="Sửa lại số liệu.", at=at)
    Article.objects.filter(pk=article.pk).update(modified_at=at)


def test_the_index_names_each_sitemap_with_its_newest_change(client):
    article, _ = story_with_lists(hours_ago=5)
    corrected = live(hours_ago=8)
    correct(corrected, NOW - timedelta(hours=1))
    # A correction of a story no longer live does not date the sitemap.
    gone = live(hours_ago=9, expire_at=NOW - timedelta(minutes=20))
    correct(gone, NOW - timedelta(minutes=30))
    root = xml(client, "/sitemap.xml", "sitemapindex")
    assert entries(root) == {
        f"{SITE}/sitemap-bai-viet.xml": "2026-03-10T08:00:00+07:00",
        f"{SITE}/sitemap-chuyen-muc.xml": "2026-03-10T04:00:00+07:00",
        f"{SITE}/sitemap-tu-khoa.xml": "2026-03-10T04:00:00+07:00",
        f"{SITE}/sitemap-tac-gia.xml": "2026-03-10T04:00:00+07:00",
        f"{SITE}/sitemap-to-chuc.xml": "2026-03-10T04:00:00+07:00",
    }
    for address in entries(root):
        xml(client, address.removeprefix(SITE))
    assert article.pk


def test_the_article_sitemap_lists_live_stories_with_their_last_modified_time(client):
    older = live(hours_ago=30)
    newer = live(hours_ago=2)
    correct(older, NOW - timedelta(minutes=15))
    root = xml(client, "/sitemap-bai-viet.xml")
    # Oldest first: new stories land on the last page and earlier pages keep theirs.
    assert list(entries(root).items()) == [
        (f"{SITE}/bai-viet/{older.slug}/", "2026-03-10T08:45:00+07:00"),
        (f"{SITE}/bai-viet/{newer.slug}/", "2026-03-10T07:00:00+07:00"),
    ]


@pytest.mark.parametrize("prefix", list(LISTS))
def test_list_sitemaps_hold_lists_with_a_live_story_dated_by_their_newest(client, prefix):
    _, first = story_with_lists(hours_ago=6)
    newest = live(hours_ago=2)
    obj = first[prefix]
    if prefix == "chuyen-muc":
        newest.section = obj
        newest.save()
    else:
        getattr(newest, {"tu-khoa": "tags", "tac-gia": "authors", "to-chuc": "organizations"}[prefix]).add(obj)
    # A list's page changes when a story enters it: a correction of a story in it does not date it.
    corrected, second = story_with_lists(hours_ago=10)
    correct(corrected, NOW - timedelta(minutes=30))
    # Lists whose stories are all drafts, scheduled or expired are left out.
    _, unseen = story_with_lists(status=Status.DRAFT)
    _, scheduled = story_with_lists(hours_ago=-1)
    _, expired = story_with_lists(expire_at=NOW - timedelta(minutes=1))
    {"chuyen-muc": make_section, "tu-khoa": make_tag, "tac-gia": make_author, "to-chuc": make_organization}[prefix]()

    root = xml(client, f"/sitemap-{prefix}.xml")
    assert entries(root) == {
        f"{SITE}/{prefix}/{obj.slug}/": "2026-03-10T07:00:00+07:00",
        f"{SITE}/{prefix}/{second[prefix].slug}/": "2026-03-09T23:00:00+07:00",
    }
    assert unseen and scheduled and expired


def test_a_scheduled_story_enters_the_sitemaps_at_its_time(client, clock):
    article, lists = story_with_lists(hours_ago=-1)
    addresses = ["/sitemap-bai-viet.xml", "/sitemap-news.xml"] + [f"/sitemap-{prefix}.xml" for prefix in LISTS]
    for address in addresses:
        assert article.slug.encode() not in client.get(address).content
        for obj in lists.values():
            assert f"/{obj.slug}/".encode() not in client.get(address).content
    clock.move_to(NOW + timedelta(hours=1), tick=False)
    assert f"/bai-viet/{article.slug}/".encode() in client.get("/sitemap-bai-viet.xml").content
    assert f"/bai-viet/{article.slug}/".encode() in client.get("/sitemap-news.xml").content
    for prefix, obj in lists.items():
        assert f"{SITE}/{prefix}/{obj.slug}/".encode() in client.get(f"/sitemap-{prefix}.xml").content


@pytest.mark.parametrize("state", ["draft", "review", "archived", "scheduled", "expired"])
def test_non_live_stories_appear_in_no_sitemap(client, state):
    article, lists = story_with_lists(
        **{
            "draft": {"status": Status.DRAFT},
            "review": {"status": Status.REVIEW},
            "archived": {"status": Status.ARCHIVED},
            "scheduled": {"hours_ago": -2},
            "expired": {"expire_at": NOW - timedelta(seconds=1)},
        }[state]
    )
    for address in ["/sitemap.xml", "/sitemap-bai-viet.xml", "/sitemap-news.xml"] + [
        f"/sitemap-{prefix}.xml" for prefix in LISTS
    ]:
        content = client.get(address).content
        ET.fromstring(content)
        assert article.slug.encode() not in content
        assert all(f"/{obj.slug}/".encode() not in content for obj in lists.values())


def test_the_article_sitemap_is_paged_by_its_limit_and_the_index_names_each_page(client, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    stories = [live(hours_ago=hours) for hours in (5, 4, 3, 2, 1)]
    index = entries(xml(client, "/sitemap.xml", "sitemapindex"))
    pages = [f"{SITE}/sitemap-bai-viet.xml", f"{SITE}/sitemap-bai-viet.xml?p=2", f"{SITE}/sitemap-bai-viet.xml?p=3"]
    assert [loc for loc in index if "bai-viet" in loc] == pages
    listed = [list(entries(xml(client, page.removeprefix(SITE)))) for page in pages]
    assert [len(page) for page in listed] == [2, 2, 1]
    assert sum(listed, []) == [f"{SITE}/bai-viet/{story.slug}/" for story in stories]
    assert client.get("/sitemap-bai-viet.xml?p=4").status_code == 404


def news(client, **headers):
    root = xml(client, "/sitemap-news.xml", **headers)
    return root.findall("sm:url", NS)


def test_the_news_sitemap_carries_google_news_fields(client):
    article = live(hours_ago=2, title="Cảng Hải Phòng đón tàu 200.000 tấn")
    (url,) = news(client)
    assert url.findtext("sm:loc", namespaces=NS) == f"{SITE}/bai-viet/{article.slug}/"
    item = url.find("news:news", NS)
    assert item.findtext("news:publication/news:name", namespaces=NS) == "Báo Hải Phòng Thử"
    assert item.findtext("news:publication/news:language", namespaces=NS) == "vi"
    assert item.findtext("news:title", namespaces=NS) == "Cảng Hải Phòng đón tàu 200.000 tấn"
    assert item.findtext("news:publication_date", namespaces=NS) == "2026-03-10T07:00:00+07:00"


def test_the_news_sitemap_holds_the_last_48_hours_newest_first(client, clock):
    inside = live(hours_ago=47, title="Trong 48 giờ")
    edge = make_article(publish_at=NOW - timedelta(hours=48), title="Đúng 48 giờ")
    newest = live(hours_ago=1, title="Mới nhất")
    live(hours_ago=49, title="Quá 48 giờ")
    titles = [url.findtext("news:news/news:title", namespaces=NS) for url in news(client)]
    assert titles == [newest.title, inside.title, edge.title]
    clock.move_to(NOW + timedelta(seconds=1), tick=False)
    titles = [url.findtext("news:news/news:title", namespaces=NS) for url in news(client)]
    assert titles == [newest.title, inside.title]
    clock.move_to(NOW + timedelta(hours=1, seconds=1), tick=False)
    titles = [url.findtext("news:news/news:title", namespaces=NS) for url in news(client)]
    assert titles == [newest.title]


def test_the_news_sitemap_stops_at_1000_stories(client):
    Article.objects.bulk_create(
        Article(
            title=f"Tin {n}",
            slug=f"tin-{n}",
            status=Status.PUBLISHED,
            publish_at=NOW - timedelta(minutes=n + 1),
        )
        for n in range(sitemaps.NEWS_MAX + 5)
    )
    urls = news(client)
    assert len(urls) == 1000
    assert urls[0].findtext("sm:loc", namespaces=NS) == f"{SITE}/bai-viet/tin-0/"
    assert urls[-1].findtext("sm:loc", namespaces=NS) == f"{SITE}/bai-viet/tin-999/"
    assert client.get("/sitemap-news.xml?p=2").status_code == 404


def test_hostile_titles_stay_well_formed_xml(client):
    live(title="<script>alert(1)</script> ]]> & \x0bdọc\x1f \ufffe 'x' \"y\"")
    (url,) = news(client)
    assert url.findtext("news:news/news:title", namespaces=NS) == "<script>alert(1)</script> ]]> & dọc  'x' \"y\""
    assert b"<script>" not in client.get("/sitemap-news.xml").content


@pytest.mark.parametrize(
    "address",
    [
        "/sitemap-bai-viet.xml?p=abc",
        "/sitemap-bai-viet.xml?p=-1",
        "/sitemap-bai-viet.xml?p=0",
        "/sitemap-bai-viet.xml?p=",
        "/sitemap-bai-viet.xml?p=99999999999999999999999",
        "/sitemap-bai-viet.xml?p=%00",
        "/sitemap-chuyen-muc.xml?p=2",
        "/sitemap-news.xml?p=abc",
        "/sitemap-khong-co.xml",
        "/sitemap-<script>.xml",
        "/sitemap-" + "a" * 3000 + ".xml",
    ],
)
def test_hostile_sitemap_addresses_are_404(client, address):
    live()
    assert client.get(address).status_code == 404


def test_unknown_parameters_are_ignored(client):
    live()
    assert client.get("/sitemap-bai-viet.xml?page=-1").content == client.get("/sitemap-bai-viet.xml").content
    assert client.get("/sitemap.xml?page=-1").status_code == 200
    assert client.post("/sitemap.xml").status_code == 405


def test_addresses_come_from_the_site_setting_not_the_host_header(client):
    story_with_lists()
    for address in ["/sitemap.xml", "/sitemap-bai-viet.xml", "/sitemap-news.xml", "/sitemap-tac-gia.xml"]:
        response = client.get(address, HTTP_HOST="evil.example", secure=True)
        assert response.status_code == 200
        assert b"evil.example" not in response.content
        assert f"<loc>{SITE}/".encode() in response.content


def test_sitemaps_are_kept_briefly_and_not_indexed_as_pages(client):
    response = client.get("/sitemap.xml")
    assert response["Cache-Control"] == f"public, max-age={sitemaps.FRESH_FOR}"
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


def grow(count):
    for _ in range(count):
        live(
            hours_ago=1,
            section=make_section(),
            tags=[make_tag(), make_tag()],
            authors=[make_author(), make_author()],
            organizations=[make_organization()],
        )


# A count and the page for each sitemap page; for the index, a count and a newest change for each sitemap (two
# reads for the articles': their newest publication and newest correction).
BUDGETS = {
    "/sitemap.xml": 2 * len(sitemaps.SITEMAPS) + 1,
    "/sitemap-bai-viet.xml": 2,
    "/sitemap-chuyen-muc.xml": 2,
    "/sitemap-tu-khoa.xml": 2,
    "/sitemap-tac-gia.xml": 2,
    "/sitemap-to-chuc.xml": 2,
    "/sitemap-news.xml": 2,
}


@pytest.mark.parametrize("address", list(BUDGETS))
def test_sitemaps_run_a_fixed_number_of_queries(client, django_assert_num_queries, address):
    def fetch():
        with django_assert_num_queries(BUDGETS[address]):
            response = client.get(address)
        assert response.status_code == 200
        return len(entries(ET.fromstring(response.content)))

    def listed(stories):
        """Entries expected: the index names each sitemap once; each story brings two tags and two authors."""
        if address == "/sitemap.xml":
            return len(sitemaps.SITEMAPS)
        return stories * (2 if address in ("/sitemap-tu-khoa.xml", "/sitemap-tac-gia.xml") else 1)

    grow(1)
    assert fetch() == listed(1)
    grow(29)
    assert fetch() == listed(30)


def test_robots_txt_names_both_sitemaps_and_keeps_crawlers_out_of_admin_previews_and_search(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for rule in ["Disallow: /admin/", "Disallow: /xem-truoc/", "Disallow: /tim-kiem/"]:
        assert rule in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert f"Sitemap: {SITE}/sitemap-news.xml" in lines
    assert "Allow: /" not in lines
    # Both addresses it names answer.
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/sitemap-news.xml").status_code == 200
    assert b"evil.example" not in client.get("/robots.txt", HTTP_HOST="evil.example").content
