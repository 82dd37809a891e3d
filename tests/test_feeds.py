"""RSS and Atom feeds (articles/feeds.py): fields, visibility, validators and 304s, hostile input, query budgets."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date
from pytest_django.asserts import assertContains, assertNotContains

from articles import feeds
from articles.models import Article, Author, Organization, Section, Tag
from photos.models import Photo

from .factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=VN)
SITE = "https://tin.example.vn"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM, "dc": "http://purl.org/dc/elements/1.1/"}
Status = Article.Status


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def fresh_cache():
    """The cache remembers since when each feed is unchanged (feeds.unchanged_since): each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Báo Hải Phòng Thử"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]


def live(hours_ago=3, **kwargs):
    return make_article(**{"publish_at": NOW - timedelta(hours=hours_ago), **kwargs})


def rss(client, address="/rss/", **headers):
    response = client.get(address, **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel")


def atom(client, address="/atom/"):
    response = client.get(address)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{ATOM}}}feed"
    return root


def rss_titles(channel):
    return [item.findtext("title") for item in channel.findall("item")]


def atom_titles(feed):
    return [entry.findtext("atom:title", namespaces=NS) for entry in feed.findall("atom:entry", NS)]


def full_story():
    section = make_section(name="Kinh tế")
    photo = make_photo(alt_text="Cảng Lạch Huyện")
    authors = [make_author(name="Minh Anh"), make_author(name="Quốc Bảo")]
    tags = [make_tag(name="Cảng biển"), make_tag(name="Logistics")]
    article = live(
        title="Cảng Hải Phòng đón tàu lớn",
        lead="Tàu 200.000 tấn & hơn thế nữa.",
        section=section,
        featured_photo=photo,
        authors=authors,
        tags=tags,
    )
    return article, photo


def test_site_rss_carries_every_field_of_a_story(client):
    article, photo = full_story()
    channel = rss(client)

    assert channel.findtext("title") == "Báo Hải Phòng Thử"
    assert channel.findtext("link") == f"{SITE}/"
    assert channel.findtext("language") == "vi"
    assert channel.find("atom:link", NS).attrib == {"rel": "self", "href": f"{SITE}/rss/"}
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == article.publish_at
    (item,) = channel.findall("item")
    link = f"{SITE}/bai-viet/{article.slug}/"
    assert item.findtext("title") == "Cảng Hải Phòng đón tàu lớn"
    assert item.findtext("link") == link
    assert item.find("guid").text == link and item.find("guid").get("isPermaLink") == "true"
    # The lead, escaped once more for readers that take the description as HTML.
    assert item.findtext("description") == "Tàu 200.000 tấn &amp; hơn thế nữa."
    # RFC 822 dates, in Vietnam time.
    assert item.findtext("pubDate") == "Tue, 10 Mar 2026 06:00:00 +0700"
    assert item.findtext("pubDate") == format_datetime(timezone.localtime(article.publish_at))
    assert [c.text for c in item.findall("dc:creator", NS)] == ["Minh Anh", "Quốc Bảo"]
    assert [c.text for c in item.findall("category")] == ["Kinh tế", "Cảng biển", "Logistics"]
    rendition = photo.rendition("w", "jpeg", 1280)
    assert rendition.url.startswith("/media/")
    # The length is the rendition's byte size as the photo library recorded it when it wrote the file.
    assert rendition.size == default_storage.size(rendition.name) > 0
    enclosure = {"url": SITE + rendition.url, "length": str(rendition.size), "type": "image/jpeg"}
    assert item.find("enclosure").attrib == enclosure


def test_enclosure_is_the_1280_jpeg_rendition_with_its_recorded_size(client, monkeypatch):
    full_story()
    chosen = []

    def rendition(photo, kind="w", fmt="jpeg", width=960):
        chosen.append((kind, fmt, width))
        return SimpleNamespace(url="/media/photos/a/w-1280.jpg", width=1280, height=720, size=123456)

    monkeypatch.setattr(Photo, "rendition", rendition)
    enclosure = rss(client).find("item/enclosure")
    assert chosen == [("w", "jpeg", 1280)]
    assert enclosure.attrib == {"url": f"{SITE}/media/photos/a/w-1280.jpg", "length": "123456", "type": "image/jpeg"}


@pytest.mark.parametrize(
    ("stored", "named"),
    [
        ("/media/photos/a/w-1280.jpg", f"{SITE}/media/photos/a/w-1280.jpg"),
        ("https://cdn.example.vn/a/w-1280.jpg", "https://cdn.example.vn/a/w-1280.jpg"),
        ("//cdn.example.vn/a/w-1280.jpg", "https://cdn.example.vn/a/w-1280.jpg"),
    ],
)
def test_the_enclosure_address_is_full_whatever_the_storage_gives(client, monkeypatch, stored, named):
    full_story()
    rendition = SimpleNamespace(url=stored, width=1280, height=720, size=99)
    monkeypatch.setattr(Photo, "rendition", lambda photo, kind="w", fmt="jpeg", width=960: rendition)
    assert rss(client).find("item/enclosure").get("url") == named
    assert atom(client).find("atom:entry/atom:link[@rel='enclosure']", NS).get("href") == named


def test_a_rendition_recorded_before_sizes_were_has_length_0(client):
    _, photo = full_story()
    renditions = photo.renditions
    renditions["w"]["jpeg"] = [entry[:3] for entry in renditions["w"]["jpeg"]]
    Photo.objects.filter(pk=photo.pk).update(renditions=renditions)
    assert rss(client).find("item/enclosure").get("length") == "0"


def test_a_story_without_a_photo_or_whose_photo_has_no_file_has_no_enclosure(client):
    live(title="Không ảnh")
    live(title="Ảnh chưa có tệp", featured_photo=make_photo(with_image=False))
    channel = rss(client)
    assert len(channel.findall("item")) == 2
    assert channel.findall("item/enclosure") == []


def test_atom_entries_carry_authors_times_and_the_correction_time(client):
    article, photo = full_story()
    corrected = NOW - timedelta(minutes=30)
    Article.objects.filter(pk=article.pk).update(modified_at=corrected)
    byline = live(hours_ago=5, title="Tin của nhóm", byline="Nhóm phóng viên Thời sự", authors=[make_author()])
    nobody = live(hours_ago=6, title="Tin của báo")

    feed = atom(client)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    assert feed.findtext("atom:title", namespaces=NS) == "Báo Hải Phòng Thử"
    assert feed.findtext("atom:id", namespaces=NS) == f"{SITE}/atom/"
    assert feed.findtext("atom:updated", namespaces=NS) == "2026-03-10T08:30:00+07:00"
    # A story with no author is the paper's: the feed's own author covers it.
    assert feed.findtext("atom:author/atom:name", namespaces=NS) == "Báo Hải Phòng Thử"
    assert {link.get("rel"): link.get("href") for link in feed.findall("atom:link", NS)} == {
        "alternate": f"{SITE}/",
        "self": f"{SITE}/atom/",
    }
    first, second, third = feed.findall("atom:entry", NS)
    assert first.findtext("atom:title", namespaces=NS) == article.title
    assert first.find("atom:link[@rel='alternate']", NS).get("href") == f"{SITE}/bai-viet/{article.slug}/"
    assert first.findtext("atom:published", namespaces=NS) == "2026-03-10T06:00:00+07:00"
    assert first.findtext("atom:updated", namespaces=NS) == "2026-03-10T08:30:00+07:00"
    assert first.findtext("atom:summary", namespaces=NS) == "Tàu 200.000 tấn &amp; hơn thế nữa."
    authors = [
        (a.findtext("atom:name", namespaces=NS), a.findtext("atom:uri", namespaces=NS))
        for a in first.findall("atom:author", NS)
    ]
    assert authors == [
        ("Minh Anh", f"{SITE}/tac-gia/{article.authors.get(name='Minh Anh').slug}/"),
        ("Quốc Bảo", f"{SITE}/tac-gia/{article.authors.get(name='Quốc Bảo').slug}/"),
    ]
    assert [c.get("term") for c in first.findall("atom:category", NS)] == ["Kinh tế", "Cảng biển", "Logistics"]
    enclosure = first.find("atom:link[@rel='enclosure']", NS)
    assert enclosure.get("href") == SITE + photo.rendition("w", "jpeg", 1280).url
    assert enclosure.get("type") == "image/jpeg"
    assert enclosure.get("length").isdigit()
    # The free-text byline replaces the author list; a story never corrected was last modified when published.
    assert [a.findtext("atom:name", namespaces=NS) for a in second.findall("atom:author", NS)] == [byline.byline]
    assert second.findtext("atom:updated", namespaces=NS) == "2026-03-10T04:00:00+07:00"
    assert third.findtext("atom:title", namespaces=NS) == nobody.title
    assert third.findall("atom:author", NS) == []


def test_the_feed_holds_the_twenty_newest_stories_newest_first(client):
    for hours in range(1, 26):
        live(hours_ago=hours, title=f"Tin {hours:02d}")
    assert rss_titles(rss(client)) == [f"Tin {hours:02d}" for hours in range(1, 21)]
    assert atom_titles(atom(client)) == [f"Tin {hours:02d}" for hours in range(1, 21)]


SCOPES = {
    "section": (make_section, "chuyen-muc", "Chuyên mục", lambda obj: {"section": obj}),
    "tag": (make_tag, "tu-khoa", "Từ khóa", lambda obj: {"tags": [obj]}),
    "author": (make_author, "tac-gia", "Tác giả", lambda obj: {"authors": [obj]}),
    "organization": (make_organization, "to-chuc", "Tổ chức", lambda obj: {"organizations": [obj]}),
}


@pytest.mark.parametrize("kind", list(SCOPES))
def test_each_list_has_its_own_feeds_of_its_live_stories(client, kind):
    make, prefix, label, belongs = SCOPES[kind]
    obj, other = make(name="Hải Phòng"), make()
    live(hours_ago=2, title="Của nó", **belongs(obj))
    live(hours_ago=1, title="Của cái khác", **belongs(other))
    live(hours_ago=3, title="Bản nháp của nó", status=Status.DRAFT, **belongs(obj))

    channel = rss(client, f"/{prefix}/{obj.slug}/rss/")
    assert rss_titles(channel) == ["Của nó"]
    assert channel.findtext("title") == f"Báo Hải Phòng Thử — {label} Hải Phòng"
    assert channel.findtext("link") == f"{SITE}/{prefix}/{obj.slug}/"
    assert channel.find("atom:link", NS).get("href") == f"{SITE}/{prefix}/{obj.slug}/rss/"
    feed = atom(client, f"/{prefix}/{obj.slug}/atom/")
    assert atom_titles(feed) == ["Của nó"]
    assert feed.findtext("atom:id", namespaces=NS) == f"{SITE}/{prefix}/{obj.slug}/atom/"
    assert client.get(f"/{prefix}/khong-co/rss/").status_code == 404
    assert client.get(f"/{prefix}/khong-co/atom/").status_code == 404


def in_state(state):
    return {
        "draft": lambda: make_article(live=False, title="Bản nháp"),
        "review": lambda: make_article(live=False, status=Status.REVIEW, title="Chờ duyệt"),
        "archived": lambda: live(status=Status.ARCHIVED, title="Đã gỡ"),
        "scheduled": lambda: make_article(publish_at=NOW + timedelta(hours=1), title="Hẹn giờ"),
        "expired": lambda: live(expire_at=NOW - timedelta(minutes=1), title="Hết hạn"),
    }[state]()


def every_feed(obj_kwargs):
    return ["/rss/", "/atom/"] + [
        f"/{SCOPES[kind][1]}/{obj.slug}/{fmt}/" for kind, obj in obj_kwargs.items() for fmt in ("rss", "atom")
    ]


@pytest.mark.parametrize("state", ["draft", "review", "archived", "scheduled", "expired"])
def test_non_live_stories_appear_in_no_feed(client, state):
    scope = {"section": make_section(), "tag": make_tag(), "author": make_author(), "organization": make_organization()}
    article = in_state(state)
    article.section = scope["section"]
    article.save()
    article.tags.set([scope["tag"]])
    article.organizations.set([scope["organization"]])
    article.bylines.create(author=scope["author"])
    for address in every_feed(scope):
        response = client.get(address)
        assert response.status_code == 200
        ET.fromstring(response.content)
        assert article.title.encode() not in response.content, address


def test_a_scheduled_story_enters_every_feed_at_its_time_and_an_expiring_one_leaves_at_its(client, clock):
    section = make_section()
    scheduled = make_article(publish_at=NOW + timedelta(hours=1), section=section, title="Hẹn giờ")
    expiring = live(expire_at=NOW + timedelta(hours=2), section=section, title="Sắp gỡ")
    addresses = every_feed({"section": section})
    for address in addresses:
        assert expiring.title.encode() in client.get(address).content
        assert scheduled.title.encode() not in client.get(address).content
    clock.move_to(NOW + timedelta(hours=1), tick=False)
    for address in addresses:
        content = client.get(address).content
        assert scheduled.title.encode() in content and expiring.title.encode() in content
    clock.move_to(NOW + timedelta(hours=2), tick=False)
    for address in addresses:
        content = client.get(address).content
        assert scheduled.title.encode() in content and expiring.title.encode() not in content


def validators(client, address="/rss/"):
    response = client.get(address)
    assert response.status_code == 200
    return response["ETag"], response["Last-Modified"]


@pytest.mark.parametrize("address", ["/rss/", "/atom/"])
def test_a_matching_etag_or_date_gets_304_without_a_body(client, address):
    live()
    etag, last_modified = validators(client, address)
    assert etag.startswith('"') and etag.endswith('"')
    assert parsedate_to_datetime(last_modified) <= NOW
    not_modified = client.get(address, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert client.get(address, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(address, HTTP_IF_NONE_MATCH='"khac"').status_code == 200
    # An ETag that differs wins over a date that matches.
    assert client.get(address, HTTP_IF_NONE_MATCH='"khac"', HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_IF_MODIFIED_SINCE": "hôm qua"},
        {"HTTP_IF_MODIFIED_SINCE": "Tue, 99 Foo 99999 99:99:99 GMT"},
        {"HTTP_IF_NONE_MATCH": "<script>" * 500},
        {"HTTP_IF_NONE_MATCH": 'W/"", "x'},
    ],
)
def test_malformed_validators_get_the_feed(client, headers):
    live()
    response = client.get("/rss/", **headers)
    assert response.status_code == 200
    ET.fromstring(response.content)


def changed(client, before, address="/rss/"):
    """Whether both validators moved: a client holding the old ones now gets the feed, by either header."""
    etag, last_modified = before
    by_etag = client.get(address, HTTP_IF_NONE_MATCH=etag)
    by_date = client.get(address, HTTP_IF_MODIFIED_SINCE=last_modified)
    return by_etag.status_code == 200 and by_date.status_code == 200


def test_validators_change_when_a_story_is_published_corrected_edited_or_taken_down(client, clock):
    article = live(hours_ago=5)
    before = validators(client)

    clock.move_to(NOW + timedelta(minutes=1), tick=False)
    newer = live(hours_ago=1)
    assert changed(client, before)
    before = validators(client)

    clock.move_to(NOW + timedelta(minutes=2), tick=False)
    Article.objects.filter(pk=article.pk).update(modified_at=timezone.now())
    assert changed(client, before)
    before = validators(client)

    clock.move_to(NOW + timedelta(minutes=3), tick=False)
    newer.title = "Tiêu đề đã sửa"
    newer.save()
    assert changed(client, before)
    before = validators(client)

    clock.move_to(NOW + timedelta(minutes=4), tick=False)
    newer.status = Status.ARCHIVED
    newer.save()
    assert changed(client, before)


def test_validators_change_at_a_scheduled_story_s_time_and_at_an_expiry(client, clock):
    live(hours_ago=5)
    make_article(publish_at=NOW + timedelta(minutes=10), title="Hẹn giờ")
    live(hours_ago=4, expire_at=NOW + timedelta(minutes=20), title="Sắp gỡ")
    before = validators(client)
    # Until then, nothing changes: the same validators get a 304.
    clock.move_to(NOW + timedelta(minutes=9), tick=False)
    assert client.get("/rss/", HTTP_IF_NONE_MATCH=before[0]).status_code == 304
    assert client.get("/rss/", HTTP_IF_MODIFIED_SINCE=before[1]).status_code == 304
    clock.move_to(NOW + timedelta(minutes=10), tick=False)
    assert changed(client, before)
    before = validators(client)
    clock.move_to(NOW + timedelta(minutes=20), tick=False)
    assert changed(client, before)


def test_last_modified_is_when_the_feed_first_had_its_bytes_and_only_moves_forward(client, clock):
    author = make_author(name="Minh Anh")
    story = live(authors=[author])
    assert client.get("/rss/")["Last-Modified"] == http_date(NOW.timestamp())
    clock.move_to(NOW + timedelta(minutes=5), tick=False)
    assert client.get("/rss/")["Last-Modified"] == http_date(NOW.timestamp())
    # A change no article's row shows (an author's new name) still dates the feed anew.
    author.name = "Minh Anh Nguyễn"
    author.save()
    renamed = client.get("/rss/")
    assert renamed["Last-Modified"] == http_date((NOW + timedelta(minutes=5)).timestamp())
    # A second change within the same second gets a later date all the same.
    story.status = Status.ARCHIVED
    story.save()
    gone = client.get("/rss/")
    assert parsedate_to_datetime(gone["Last-Modified"]) == NOW + timedelta(minutes=5, seconds=1)
    assert client.get("/rss/", HTTP_IF_MODIFIED_SINCE=renamed["Last-Modified"]).status_code == 200
    # Back to bytes served before: a later date, never the old one.
    clock.move_to(NOW + timedelta(minutes=6), tick=False)
    story.status = Status.PUBLISHED
    story.save()
    back = client.get("/rss/")
    assert back["ETag"] == renamed["ETag"]
    assert back["Last-Modified"] == http_date((NOW + timedelta(minutes=6)).timestamp())
    assert client.get("/rss/", HTTP_IF_MODIFIED_SINCE=gone["Last-Modified"]).status_code == 200
    assert client.get("/rss/", HTTP_IF_MODIFIED_SINCE=back["Last-Modified"]).status_code == 304
    # A date the cache forgot is given anew, later: one more download, never a wrong 304.
    cache.clear()
    clock.move_to(NOW + timedelta(minutes=7), tick=False)
    assert client.get("/rss/", HTTP_IF_MODIFIED_SINCE=back["Last-Modified"]).status_code == 200
    assert client.get("/rss/", HTTP_IF_NONE_MATCH=back["ETag"]).status_code == 304


def test_caches_keep_a_feed_briefly_and_never_past_the_next_scheduled_change(client, clock):
    live()
    assert client.get("/rss/")["Cache-Control"] == f"public, max-age={feeds.FRESH_FOR}"
    make_article(publish_at=NOW + timedelta(seconds=45), title="Hẹn giờ")
    assert client.get("/atom/")["Cache-Control"] == "public, max-age=45"
    live(expire_at=NOW + timedelta(seconds=30))
    assert client.get("/rss/")["Cache-Control"] == "public, max-age=30"


def test_an_empty_feed_is_valid_and_keeps_its_etag(client, clock):
    channel = rss(client)
    assert channel.findall("item") == []
    assert atom(client).findall("atom:entry", NS) == []
    etag = client.get("/atom/")["ETag"]
    clock.move_to(NOW + timedelta(minutes=5), tick=False)
    assert client.get("/atom/", HTTP_IF_NONE_MATCH=etag).status_code == 304


# PostgreSQL refuses NUL in text, so no story holds one; the rest of C0 and U+FFFE it stores.
HOSTILE = "<script>alert(1)</script> ]]> &amp; \x0bdọc\x1f\x01 \ufffe"


def test_hostile_text_is_escaped_and_characters_xml_cannot_carry_are_dropped(client):
    tag = make_tag(name="Thẻ\x0b<b>")
    author = make_author(name="Tác\x1f giả <i>")
    section = make_section(name="Mục\x0c<s>")
    article = live(title=HOSTILE, lead=HOSTILE, byline="", tags=[tag], authors=[author], section=section)
    clean = "<script>alert(1)</script> ]]> &amp; dọc "

    item = rss(client).find("item")
    assert item.findtext("title") == escape(clean)
    assert item.findtext("description") == escape(clean)
    assert [c.text for c in item.findall("category")] == ["Mục<s>", "Thẻ<b>"]
    assert item.findtext("dc:creator", namespaces=NS) == "Tác giả <i>"
    entry = atom(client).find("atom:entry", NS)
    assert entry.findtext("atom:title", namespaces=NS) == clean
    assert entry.findtext("atom:author/atom:name", namespaces=NS) == "Tác giả <i>"
    assert [c.get("term") for c in entry.findall("atom:category", NS)] == ["Mục<s>", "Thẻ<b>"]
    for address in [f"/chuyen-muc/{section.slug}/rss/", f"/tu-khoa/{tag.slug}/atom/", f"/tac-gia/{author.slug}/rss/"]:
        response = client.get(address)
        assert response.status_code == 200
        assert b"<script>" not in response.content
        ET.fromstring(response.content)
    assert article.pk


@pytest.mark.parametrize(
    "address",
    [
        "/chuyen-muc/<script>/rss/",
        "/chuyen-muc/%3Cscript%3E/atom/",
        "/tu-khoa/%00/rss/",
        "/tac-gia/" + "a" * 5000 + "/rss/",
        "/to-chuc/" + "x" * 300 + "/atom/",
        "/chuyen-muc/../rss/",
        "/rss/extra/",
    ],
)
def test_hostile_addresses_are_404(client, address):
    assert client.get(address).status_code == 404


def test_unknown_parameters_are_ignored_and_only_reading_is_allowed(client):
    live(title="Một tin")
    plain = client.get("/rss/")
    odd = client.get("/rss/?page=-1&p=abc&q=%00")
    assert odd.status_code == 200 and odd.content == plain.content
    assert client.post("/rss/").status_code == 405
    assert client.head("/atom/").status_code == 200


def test_addresses_come_from_the_site_setting_not_the_host_header(client):
    full_story()
    response = client.get("/rss/", HTTP_HOST="evil.example")
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    assert SITE.encode() in response.content
    assert b"evil.example" not in client.get("/atom/", HTTP_HOST="evil.example").content


def grow(count, section, tag, author, organization):
    for _ in range(count):
        live(
            hours_ago=1,
            section=section,
            tags=[tag, make_tag()],
            authors=[author, make_author()],
            organizations=[organization],
            featured_photo=make_photo(alt_text="Ảnh"),
        )


# The object (lists only), the validators' aggregate, the stories, their bylines, their tags.
BUDGETS = {"/rss/": 4, "/atom/": 4, "chuyen-muc": 5, "tu-khoa": 5, "tac-gia": 5, "to-chuc": 5}


@pytest.mark.parametrize("where", list(BUDGETS))
def test_feeds_run_a_fixed_number_of_queries(client, django_assert_num_queries, where):
    scope = make_section(), make_tag(), make_author(), make_organization()
    slugs = dict(zip(["chuyen-muc", "tu-khoa", "tac-gia", "to-chuc"], [obj.slug for obj in scope], strict=True))
    address = where if where.startswith("/") else f"/{where}/{slugs[where]}/rss/"

    def fetch():
        with django_assert_num_queries(BUDGETS[where]):
            response = client.get(address)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        return len(root.findall("channel/item") or root.findall("atom:entry", NS))

    grow(1, *scope)
    assert fetch() == 1
    grow(29, *scope)
    assert fetch() == feeds.ITEMS


def test_autodiscovery_links_name_the_site_feeds_on_every_page(client):
    article = live(section=make_section())
    for address in ["/", article.get_absolute_url(), "/dinh-chinh/"]:
        response = client.get(address)
        assertContains(
            response,
            '<link rel="alternate" type="application/rss+xml" title="Báo Hải Phòng Thử (RSS)" href="/rss/">',
            html=True,
        )
        assertContains(
            response,
            '<link rel="alternate" type="application/atom+xml" title="Báo Hải Phòng Thử (Atom)" href="/atom/">',
            html=True,
        )
        assert response.content.decode().count('rel="alternate" type="application/') == 2


@pytest.mark.parametrize("kind", list(SCOPES))
def test_autodiscovery_links_name_the_list_s_own_feeds_on_its_page(client, kind):
    make, prefix, label, belongs = SCOPES[kind]
    obj = make(name="Cảng & Biển")
    live(**belongs(obj))
    response = client.get(f"/{prefix}/{obj.slug}/")
    assert response.status_code == 200
    for fmt, kind_name in (("rss", "RSS"), ("atom", "Atom")):
        assertContains(
            response,
            f'<link rel="alternate" type="application/{fmt}+xml" title="{label} Cảng &amp; Biển ({kind_name})"'
            f' href="/{prefix}/{obj.slug}/{fmt}/">',
            html=True,
        )
        # The address it names is that list's feed.
        assert client.get(f"/{prefix}/{obj.slug}/{fmt}/").status_code == 200
    assert response.content.decode().count('rel="alternate" type="application/') == 4
    assertNotContains(response, "None/rss/")


def test_models_named_in_scopes_are_the_lists(client):
    assert {scope.model for scope in feeds.SCOPES.values()} == {Section, Tag, Author, Organization}
