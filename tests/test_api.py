"""The public JSON API (articles/api.py, articles/ninjs.py): every response checked against the shipped ninjs 3.1
schema, visibility, syncing, pagination, HTTP validators, errors and query budgets."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from articles.corrections import article_correct, article_mark_updated
from articles.models import Article, Author, Section, Tag
from photos.models import Photo

from .conftest import CHROMIUM
from .factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

NOW = datetime(2024, 4, 4, 6, 33, tzinfo=UTC)  # 13:33 in Vietnam
SITE = "http://testserver.example"
SCHEMA = json.loads((Path(__file__).parent.parent / "articles/schemas/ninjs-schema_3.1.json").read_text())
HOSTILE = "<script>alert(\"x\")</script> 'Đề án' \u2028 \u2029 & \\ end"


@pytest.fixture(autouse=True)
def _site(settings, time_machine):
    settings.SITE_URL = SITE
    time_machine.move_to(NOW, tick=False)


# The schema's "uri" and "date-time" formats are only checked by jsonschema with optional packages this project does
# not install; these say what the API promises instead: absolute http(s) addresses of this site or its media, and
# RFC 3339 times in Vietnam time.
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri")
def _uri(value):
    return bool(re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?/[^\s\"<>\\^`{|}]*", value))


@FORMATS.checks("date-time")
def _date_time(value):
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00", value))


pytestmark = pytest.mark.django_db
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA, format_checker=FORMATS)


def valid_ninjs(item):
    errors = sorted(VALIDATOR.iter_errors(item), key=lambda e: e.path)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    return item


def get(client, path, **headers):
    return client.get(path, headers=headers)


def body(response, status=200):
    """The response's JSON; every ninjs item in it (one article, or a list's) validated against the schema."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] in {"application/json; charset=utf-8", "application/json"}
    data = json.loads(response.content)
    if isinstance(data, dict):
        for item in [data, *data.get("items", [])]:
            if "standard" in item:
                valid_ninjs(item)
    return data


def list_items(client, query=""):
    data = body(get(client, f"/api/v1/articles{query}"))
    for item in data["items"]:
        valid_ninjs(item)
    return data


def uris(data):
    return [item["uri"] for item in data["items"]]


def page_uri(article):
    return f"{SITE}{article.get_absolute_url()}"


def make_editor():
    user = get_user_model().objects.create_user("bientap", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Biên tập viên"))
    return get_user_model().objects.get(pk=user.pk)


def with_alt(photo, alt="Toàn cảnh hội thảo"):
    photo.alt_text = alt
    photo.save()
    return photo


@pytest.fixture
def full_story(db):
    """An article with everything ninjs carries: photos, corrections, two authors, tags, organisations, hostile text."""
    section = make_section(name="Thời sự")
    featured = with_alt(make_photo(caption="Lễ ra mắt đề án", credit="Ảnh: Minh Anh"))
    inside = with_alt(make_photo(caption=HOSTILE, credit='Ảnh: "Lan"'), alt='Diễn giả <b>"phát biểu"</b>')
    missing = make_photo(with_image=False, caption="Chưa có tệp")
    article = make_article(
        title=f"Hải Phòng {HOSTILE}",
        lead=f"Sapo {HOSTILE}",
        body=(
            "<p>Đoạn một.</p><script>alert(1)</script>"
            f'<figure><img src="{inside.get_absolute_url()}" alt=""><figcaption>cũ</figcaption></figure>'
            f'<p>Đoạn hai.</p><figure><img src="{missing.get_absolute_url()}" alt=""></figure>'
        ),
        section=section,
        featured_photo=featured,
        authors=[make_author(name="Nguyễn Văn An"), make_author(name="Trần Thị Bình"), make_author(name="Lê Chí")],
        tags=[make_tag(name="Nhân lực")],
        organizations=[make_organization(name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng")],
        publish_at=NOW - timedelta(hours=3),
        expire_at=NOW + timedelta(days=30),
    )
    editor = make_editor()
    article_correct(article=article, by=editor, text=f"Sửa tên {HOSTILE}", at=NOW - timedelta(hours=2))
    article_mark_updated(article=article, by=editor, note="Thêm ý kiến.", at=NOW - timedelta(hours=1))
    article_mark_updated(article=article, by=editor, at=NOW - timedelta(minutes=30))
    article.refresh_from_db()
    return article


# ninjs --------------------------------------------------------------------------------------------------------


def test_the_shipped_schema_is_ninjs_31_and_the_checks_can_fail():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
    good = {"uri": f"{SITE}/bai-viet/a/", "type": "text", "firstCreated": "2024-04-04T13:33:00+07:00"}
    valid_ninjs(good)
    for bad in [
        {"type": "text"},  # no uri
        good | {"headline": "ninjs 2.x/1.x names are not 3.1's"},
        good | {"firstCreated": "2024-04-04T06:33:00Z"},  # not in Vietnam time
        good | {"uri": "/bai-viet/a/"},  # not absolute
        good | {"associations": [{"uri": f"{SITE}/anh/1/"}]},  # an association needs its name
        good | {"renditions": [{"name": "w", "width": "64"}]},
    ]:
        assert list(VALIDATOR.iter_errors(bad)), bad


def test_an_article_is_a_valid_ninjs_31_item_with_every_property(client, full_story):
    article = full_story
    item = valid_ninjs(body(get(client, f"/api/v1/articles/{article.slug}")))
    page = f"{SITE}{article.get_absolute_url()}"
    assert item["uri"] == page
    assert item["standard"] == {
        "name": "ninjs",
        "version": "3.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
    }
    assert (item["type"], item["language"], item["pubStatus"], item["representationType"]) == (
        "text",
        "vi",
        "usable",
        "full",
    )
    # The first version, then one for the correction and one for each update.
    assert item["version"] == "4"
    assert item["firstCreated"] == "2024-04-04T10:33:00+07:00"
    assert item["versionCreated"] == "2024-04-04T13:03:00+07:00"
    assert item["expires"] == "2024-05-04T13:33:00+07:00"
    assert item["altIds"] == [{"role": "id", "value": str(article.pk)}]
    assert item["slugline"] == article.slug
    assert item["headlines"] == [{"role": "main", "contentType": "text/plain", "value": f"Hải Phòng {HOSTILE}"}]
    assert item["descriptions"] == [
        {"role": "summary", "contentType": "text/plain", "value": f"Sapo {HOSTILE}"},
        {"role": "correction", "contentType": "text/plain", "value": f"Sửa tên {HOSTILE}"},
        {"role": "update", "contentType": "text/plain", "value": "Thêm ý kiến."},
    ]
    assert item["by"] == "Nguyễn Văn An, Trần Thị Bình và Lê Chí"
    assert [(p["name"], p["rel"]) for p in item["people"]] == [
        ("Nguyễn Văn An", "author"),
        ("Trần Thị Bình", "author"),
        ("Lê Chí", "author"),
    ]
    author = article.author_list[0]
    assert item["people"][0] == {
        "name": "Nguyễn Văn An",
        "rel": "author",
        "uri": f"{SITE}{author.get_absolute_url()}",
        "literal": author.slug,
    }
    tag = article.tags.get()
    assert item["subjects"] == [
        {
            "name": "Thời sự",
            "rel": "section",
            "uri": f"{SITE}{article.section.get_absolute_url()}",
            "literal": article.section.slug,
        },
        {"name": "Nhân lực", "rel": "tag", "uri": f"{SITE}{tag.get_absolute_url()}", "literal": tag.slug},
    ]
    organization = article.organizations.get()
    assert item["organisations"] == [
        {
            "name": organization.name,
            "rel": "mentions",
            "uri": f"{SITE}{organization.get_absolute_url()}",
            "literal": organization.slug,
        }
    ]
    assert item["renditions"] == [{"name": "web", "href": page, "contentType": "text/html"}]


def test_photos_are_picture_associations_with_every_rendition(client, full_story):
    item = body(get(client, f"/api/v1/articles/{full_story.slug}"))
    featured = full_story.featured_photo
    inside = Photo.objects.get(caption=HOSTILE)
    # The photo still missing its file is left out, as on the article page.
    assert [(a["name"], a["rel"], a["uri"]) for a in item["associations"]] == [
        ("featured-photo", "featured", f"{SITE}/anh/{featured.pk}/"),
        ("body-photo-1", "inline", f"{SITE}/anh/{inside.pk}/"),
    ]
    picture = item["associations"][1]
    assert picture["type"] == "picture"
    assert picture["by"] == 'Ảnh: "Lan"'
    assert picture["descriptions"] == [
        {"role": "caption", "contentType": "text/plain", "value": HOSTILE},
        {"role": "creditline", "contentType": "text/plain", "value": 'Ảnh: "Lan"'},
        {"role": "alt-text", "contentType": "text/plain", "value": 'Diễn giả <b>"phát biểu"</b>'},
    ]
    expected = [
        {
            "name": f"{kind}-{fmt}-{r.width}",
            "href": f"{SITE}{r.url}",
            "contentType": f"image/{fmt}",
            "width": r.width,
            "height": r.height,
            # Once the photo library records byte sizes (Rendition.size), they are passed on.
            **({"sizeInBytes": r.size} if getattr(r, "size", None) else {}),
        }
        for kind in ("w", "card", "square", "share")
        for fmt in ("webp", "jpeg")
        for r in inside.rendition_list(kind, fmt)
    ]
    assert picture["renditions"] == expected
    # Every kind the library makes is there: the whole picture, 16:9, square (both formats) and the share crop.
    assert {r["name"].rsplit("-", 1)[0] for r in expected} == {
        "w-webp",
        "w-jpeg",
        "card-webp",
        "card-jpeg",
        "square-webp",
        "square-jpeg",
        "share-jpeg",
    }
    for rendition in picture["renditions"]:
        assert rendition["href"].startswith(f"{SITE}/media/")


def test_the_body_is_sanitised_html_with_figures_at_absolute_addresses(client, full_story):
    item = body(get(client, f"/api/v1/articles/{full_story.slug}"))
    inside = Photo.objects.get(caption=HOSTILE)
    (jpeg,) = inside.rendition_list("w", "jpeg")
    (main,) = item["bodies"]
    assert main["role"] == "main" and main["contentType"] == "text/html"
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#x27;Đề án&#x27; \u2028 \u2029 &amp; \\ end"
    assert main["value"] == (
        "<p>Đoạn một.</p>"
        f'<figure><img src="{SITE}{jpeg.url}" srcset="{SITE}{jpeg.url} {jpeg.width}w" width="{jpeg.width}" '
        f'height="{jpeg.height}" alt="Diễn giả &lt;b&gt;&quot;phát biểu&quot;&lt;/b&gt;">'
        f'<figcaption>{escaped} <span class="credit">Ảnh: &quot;Lan&quot;</span></figcaption></figure>'
        "<p>Đoạn hai.</p>"
    )
    # Captions are not counted.
    assert (main["wordCount"], main["charCount"]) == (4, len("Đoạn một. Đoạn hai."))


def test_hostile_text_is_plain_json_and_line_separators_are_escaped(client, full_story):
    response = get(client, f"/api/v1/articles/{full_story.slug}")
    raw = response.content.decode()
    assert "\u2028" not in raw and "\u2029" not in raw and "\\u2028" in raw and "\\u2029" in raw
    # Vietnamese goes out as UTF-8, not as \u escapes.
    assert "Hải Phòng" in raw
    assert response["X-Content-Type-Options"] == "nosniff"
    assert json.loads(raw)["headlines"][0]["value"] == f"Hải Phòng {HOSTILE}"


def test_a_free_text_byline_is_by_and_the_authors_stay_people(client):
    author = make_author(name="Phạm Dũng")
    article = make_article(byline="Nhóm phóng viên Thời sự", authors=[author], lead="", body="")
    item = valid_ninjs(body(get(client, f"/api/v1/articles/{article.slug}")))
    assert item["by"] == "Nhóm phóng viên Thời sự"
    assert [p["name"] for p in item["people"]] == ["Phạm Dũng"]
    # A story with nothing optional: no lead, no section, no photo, no byline beyond that.
    assert item["descriptions"] == [] and item["associations"] == [] and item["subjects"] == []
    assert item["bodies"] == [{"role": "main", "contentType": "text/html", "value": "", "charCount": 0, "wordCount": 0}]
    assert "expires" not in item and item["version"] == "1"
    assert item["versionCreated"] == item["firstCreated"]


def test_an_article_without_authors_or_byline_has_no_by(client):
    item = valid_ninjs(body(get(client, f"/api/v1/articles/{make_article().slug}")))
    assert "by" not in item and item["people"] == []


def test_list_items_are_valid_ninjs_and_the_same_as_the_single_article(client, full_story):
    other = make_article(authors=[make_author()], tags=[make_tag()])
    data = list_items(client)
    assert uris(data) == [page_uri(full_story), page_uri(other)]
    assert data["items"][0] == body(get(client, f"/api/v1/articles/{full_story.slug}"))
    assert data["next"] is None and data["nextCursor"] is None


# Visibility --------------------------------------------------------------------------------------------------


def every_surface(client, article, tag, section, organization, author):
    """Whether `article` appears on each endpoint that could show it."""
    queries = ["", f"?section={section.slug}", f"?tag={tag.slug}", f"?organisation={organization.slug}"]
    queries += [f"?author={author.slug}", "?updated_since=2000-01-01T00:00:00%2B07:00"]
    seen = [page_uri(article) in uris(list_items(client, q)) for q in queries]
    detail = get(client, f"/api/v1/articles/{article.slug}")
    seen.append(detail.status_code == 200)
    if detail.status_code != 200:
        assert body(detail, 404) == {"error": "not_found", "detail": "No live article with this slug."}
    return seen


@pytest.mark.parametrize("state", ["draft", "review", "archived", "scheduled", "expired"])
def test_articles_readers_cannot_see_appear_on_no_endpoint(client, state, time_machine):
    tag, section, organization, author = make_tag(), make_section(), make_organization(), make_author()
    links = {"tags": [tag], "organizations": [organization], "authors": [author], "section": section}
    kwargs = {
        "draft": {"status": Article.Status.DRAFT, "live": False},
        "review": {"status": Article.Status.REVIEW, "live": False},
        "archived": {"status": Article.Status.ARCHIVED, "live": False, "publish_at": NOW - timedelta(days=1)},
        "scheduled": {"publish_at": NOW + timedelta(hours=1)},
        "expired": {"publish_at": NOW - timedelta(days=2), "expire_at": NOW - timedelta(days=1)},
    }[state]
    article = make_article(**links, **kwargs)
    assert every_surface(client, article, tag, section, organization, author) == [False] * 7
    if state == "scheduled":
        time_machine.move_to(NOW + timedelta(hours=1), tick=False)
        assert every_surface(client, article, tag, section, organization, author) == [True] * 7


def test_a_scheduled_article_comes_and_an_expiring_one_goes_by_the_clock(client, time_machine):
    tag, section, organization, author = make_tag(), make_section(), make_organization(), make_author()
    links = {"tags": [tag], "organizations": [organization], "authors": [author], "section": section}
    article = make_article(**links, publish_at=NOW + timedelta(minutes=10), expire_at=NOW + timedelta(minutes=20))
    time_machine.move_to(NOW + timedelta(minutes=10) - timedelta(seconds=1), tick=False)
    assert every_surface(client, article, tag, section, organization, author) == [False] * 7
    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    assert every_surface(client, article, tag, section, organization, author) == [True] * 7
    time_machine.move_to(NOW + timedelta(minutes=20), tick=False)
    assert every_surface(client, article, tag, section, organization, author) == [False] * 7


def test_staff_get_exactly_what_readers_get(client, full_story, django_assert_num_queries):
    draft = make_article(status=Article.Status.DRAFT, live=False)
    paths = ["/api/v1/articles", f"/api/v1/articles/{full_story.slug}", f"/api/v1/articles/{draft.slug}"]
    paths += ["/api/v1/authors", "/api/v1/sections"]
    anonymous = [get(client, p) for p in paths]
    admin = get_user_model().objects.create_superuser("admin", password="x")
    client.force_login(admin)
    for path, before in zip(paths, anonymous, strict=True):
        after = get(client, path)
        assert (after.status_code, after.content, after["ETag"]) == (before.status_code, before.content, before["ETag"])
        assert "Cookie" not in after.get("Vary", "")
    # Nothing reads the session: the same six queries as for a reader, none for the login.
    with django_assert_num_queries(6):
        get(client, f"/api/v1/articles/{full_story.slug}")


# Filters, syncing, pagination -----------------------------------------------------------------------------------


def test_filters_by_section_tag_organisation_and_author(client):
    section, tag, organization, author = make_section(), make_tag(), make_organization(), make_author()
    one = make_article(section=section)
    two = make_article(tags=[tag])
    three = make_article(organizations=[organization])
    four = make_article(authors=[author, make_author()])
    make_article()
    assert uris(list_items(client, f"?section={section.slug}")) == [page_uri(one)]
    assert uris(list_items(client, f"?tag={tag.slug}")) == [page_uri(two)]
    assert uris(list_items(client, f"?organisation={organization.slug}")) == [page_uri(three)]
    assert uris(list_items(client, f"?author={author.slug}")) == [page_uri(four)]
    assert uris(list_items(client, f"?section={section.slug}&tag={tag.slug}")) == []
    # An unknown slug is an empty list, as a section with no live article is.
    assert list_items(client, "?section=khong-co") == {"items": [], "next": None, "nextCursor": None}


def test_updated_since_picks_up_a_correction(client, time_machine):
    old = make_article(publish_at=NOW - timedelta(days=3))
    recent = make_article(publish_at=NOW - timedelta(minutes=30))
    since = "2024-04-04T13:00:00+07:00"
    assert uris(list_items(client, f"?updated_since={since.replace('+', '%2B')}")) == [page_uri(recent)]
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    article_correct(article=old, by=make_editor(), text="Sửa số liệu.")
    data = list_items(client, f"?updated_since={since.replace('+', '%2B')}")
    # Oldest change first: the story published at 13:03, then the one corrected at 13:38.
    assert uris(data) == [page_uri(recent), page_uri(old)]
    assert data["items"][1]["versionCreated"] == "2024-04-04T13:38:00+07:00"
    assert data["items"][1]["version"] == "2"
    # Inclusive: a change at exactly that time is in; naive times are Vietnam time, Z and other offsets work.
    for since in ["2024-04-04T13:38:00", "2024-04-04T06:38:00Z", "2024-04-04T08:38:00%2B02:00"]:
        assert uris(list_items(client, f"?updated_since={since}")) == [page_uri(old)]
    assert uris(list_items(client, "?updated_since=2024-04-04T13:38:00.000001")) == []


def test_a_story_published_again_after_its_corrections_is_as_new_as_its_publication(client):
    # Corrected once, taken down, published again later: its old modified_at is before its new publish_at.
    article = make_article(publish_at=NOW - timedelta(minutes=10))
    Article.objects.filter(pk=article.pk).update(modified_at=NOW - timedelta(days=2))
    article.refresh_from_db()
    assert article.last_modified == article.publish_at
    data = list_items(client, "?updated_since=2024-04-04T13:00:00")
    assert uris(data) == [page_uri(article)]
    assert data["items"][0]["versionCreated"] == data["items"][0]["firstCreated"]


@pytest.mark.parametrize("query", ["", "?updated_since=2000-01-01", "?section={section}"])
def test_pagination_walks_every_item_once(client, query):
    section = make_section()
    same_time = NOW - timedelta(hours=1)
    # Several stories at the same instant: the cursor's id breaks the tie.
    articles = [make_article(section=section, publish_at=same_time) for _ in range(9)]
    articles += [make_article(section=section) for _ in range(14)]
    url = f"/api/v1/articles{query.format(section=section.slug)}"
    url += ("&" if "?" in url else "?") + "limit=4"
    seen, pages = [], 0
    while url:
        data = list_items(client, url.removeprefix(SITE).removeprefix("/api/v1/articles"))
        seen += uris(data)
        pages += 1
        assert len(data["items"]) <= 4
        url = data["next"]
        if url:
            assert parse_qs(urlsplit(url).query)["cursor"] == [data["nextCursor"]]
            assert url.startswith(f"{SITE}/api/v1/articles?")
    assert pages == 6
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == {page_uri(article) for article in articles}


def test_a_walk_is_not_thrown_by_a_story_added_meanwhile(client, time_machine):
    for _ in range(5):
        make_article()
    first = list_items(client, "?limit=2")
    make_article(publish_at=NOW)
    rest = []
    url = first["next"]
    while url:
        data = list_items(client, url.removeprefix(f"{SITE}/api/v1/articles"))
        rest += uris(data)
        url = data["next"]
    assert len(uris(first) + rest) == len(set(uris(first) + rest)) == 5


# HTTP ----------------------------------------------------------------------------------------------------------


def test_etag_and_304_for_a_matching_if_none_match(client, full_story):
    path = f"/api/v1/articles/{full_story.slug}"
    response = get(client, path)
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Access-Control-Allow-Origin"] == "*"
    for match in [etag, f"W/{etag}", f'"other", {etag}', "*"]:
        not_modified = get(client, path, if_none_match=match)
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified["ETag"] == etag and not_modified["Cache-Control"] == "public, max-age=60"
        assert not_modified["Access-Control-Allow-Origin"] == "*"
    assert get(client, path, if_none_match='"other"').status_code == 200
    # A correction changes the body, so the ETag.
    article_correct(article=full_story, by=get_user_model().objects.get(username="bientap"), text="Sửa lần hai.")
    changed = get(client, path, if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_every_endpoint_and_error_carries_an_etag_and_none_answers_304_to_a_star(client):
    make_article()
    for path in ["/api/v1/articles", "/api/v1/sections", "/api/v1/openapi.json", "/api/v1/articles?limit=0"]:
        response = get(client, path)
        assert response["ETag"] and response["Access-Control-Allow-Origin"] == "*"
    for path in ["/api/v1/articles/khong-co", "/api/v1/articles?limit=0", "/api/v1/khong-co"]:
        # `*` means "any current representation": an error has none, so it is answered in full.
        assert get(client, path, if_none_match="*").status_code in {400, 404}


# Errors ----------------------------------------------------------------------------------------------------------

BAD = [
    ("limit=0", "invalid_parameter"),
    ("limit=-1", "invalid_parameter"),
    ("limit=101", "invalid_parameter"),
    ("limit=" + "9" * 5000, "invalid_parameter"),
    ("limit=abc", "invalid_parameter"),
    ("limit=", "invalid_parameter"),
    ("limit=1e3", "invalid_parameter"),
    ("limit=%2B5", "invalid_parameter"),
    ("limit=%205", "invalid_parameter"),
    ("limit=0_5", "invalid_parameter"),
    ("section=", "invalid_parameter"),
    ("section=th%E1%BB%9Di-s%E1%BB%B1", "invalid_parameter"),
    ("section=a%00b", "invalid_parameter"),
    ("tag=%3Cscript%3E", "invalid_parameter"),
    ("author=" + "a" * 10_000, "invalid_parameter"),
    ("organisation=a'--", "invalid_parameter"),
    ("updated_since=hom-qua", "invalid_parameter"),
    ("updated_since=2024-13-01T00:00:00", "invalid_parameter"),
    ("updated_since=2024-04-04T13:33:00%2B25:00", "invalid_parameter"),
    ("updated_since=0001-01-01T00:00:00", "invalid_parameter"),
    ("updated_since=9999-12-31T23:59:59-07:00", "invalid_parameter"),
    ("updated_since=2024-04-04%00", "invalid_parameter"),
    ("updated_since=" + "2" * 10_000, "invalid_parameter"),
    ("cursor=abc", "invalid_cursor"),
    ("cursor=" + "a" * 10_000, "invalid_parameter"),
    ("cursor=%00", "invalid_cursor"),
    ("page=2", "unknown_parameter"),
    ("sort=title", "unknown_parameter"),
    ("%00=1", "unknown_parameter"),
    ("limit=2&limit=3", "repeated_parameter"),
]


@pytest.mark.parametrize(("query", "error"), BAD)
def test_bad_parameters_are_a_400_with_a_json_error(client, query, error):
    make_article()
    data = body(get(client, f"/api/v1/articles?{query}"), 400)
    assert set(data) == {"error", "detail"} and data["error"] == error and isinstance(data["detail"], str)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/authors?limit=0",
        "/api/v1/authors?cursor=x",
        "/api/v1/tags?nope=1",
        "/api/v1/sections?limit=5",
        "/api/v1/organisations?limit=1000",
        "/api/v1/articles/bai-viet?x=1",
    ],
)
def test_bad_parameters_on_other_endpoints(client, path):
    assert body(get(client, path), 400)["error"] in {"invalid_parameter", "invalid_cursor", "unknown_parameter"}


def test_cursors_cannot_be_forged_or_carried_between_listings(client):
    for _ in range(3):
        make_article()
        make_author()
    token = list_items(client, "?limit=1")["nextCursor"]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert body(get(client, f"/api/v1/articles?limit=1&cursor={forged}"), 400)["error"] == "invalid_cursor"
    # A cursor of the newest-first order is not one of the updated_since order, nor of the author list.
    since = f"/api/v1/articles?updated_since=2000-01-01&cursor={token}"
    assert body(get(client, since), 400)["error"] == "invalid_cursor"
    assert body(get(client, f"/api/v1/authors?cursor={token}"), 400)["error"] == "invalid_cursor"


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/khong-co", "/api/v1/articles/a%00b", "/api/v1/articles/%3Cscript%3E/x"]
)
def test_unknown_addresses_are_json_404s(client, path):
    assert body(get(client, path), 404) == {"error": "not_found", "detail": "No such endpoint."}


def test_head_is_get_without_the_body_and_writes_are_a_json_405(client):
    make_article()
    full = get(client, "/api/v1/articles")
    head = client.head("/api/v1/articles")
    assert head.status_code == 200 and head.content == b""
    assert (head["ETag"], head["Content-Length"]) == (full["ETag"], str(len(full.content)))
    assert client.head("/api/v1/articles", headers={"if-none-match": full["ETag"]}).status_code == 304
    for method in (client.post, client.put, client.delete, client.options):
        response = method("/api/v1/articles")
        assert body(response, 405) == {"error": "method_not_allowed", "detail": "Read-only: GET and HEAD only."}
        assert response["Allow"] == "GET, HEAD"


def test_a_body_written_without_save_is_sanitised_in_the_api_too(client):
    (article,) = Article.objects.bulk_create(
        [
            Article(
                title="Hàng loạt",
                slug="hang-loat",
                body='<p onclick="x()">x</p><script>alert(1)</script><img src="https://tracker.example/a.gif">',
                status=Article.Status.PUBLISHED,
                publish_at=NOW - timedelta(hours=1),
            )
        ]
    )
    item = valid_ninjs(body(get(client, "/api/v1/articles/hang-loat")))
    assert item["bodies"][0]["value"] == "<p>x</p>"
    assert item["bodies"][0]["wordCount"] == 1


# Sections, tags, authors, organisations ---------------------------------------------------------------------------


def test_sections_tags_authors_and_organisations(client):
    parent = make_organization(name="Liên hiệp các hội")
    organization = make_organization(
        name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
        short_name="Hội KHPTNNL",
        aliases="Hội Khoa học phát triển nguồn nhân lực\n\n Hội nhân lực ",
        description="Thành lập năm 2012.",
        founded_on=datetime(2012, 5, 20, tzinfo=UTC).date(),
        founding_document="Quyết định số 520 QĐ-CT",
        member_count=125,
        website="https://hoinhanluc.example.vn",
        parent=parent,
    )
    author = make_author(name="Nguyễn Văn An", bio="Phóng viên.", email="an@example.vn")
    section = make_section(name="Giáo dục", description="Tin giáo dục.")
    tag = make_tag(name="Nhân tài")
    assert body(get(client, f"/api/v1/organisations/{organization.slug}")) == {
        "slug": organization.slug,
        "name": organization.name,
        "shortName": "Hội KHPTNNL",
        "aliases": ["Hội Khoa học phát triển nguồn nhân lực", "Hội nhân lực"],
        "description": "Thành lập năm 2012.",
        "foundedOn": "2012-05-20",
        "foundingDocument": "Quyết định số 520 QĐ-CT",
        "memberCount": 125,
        "website": "https://hoinhanluc.example.vn",
        "parent": parent.slug,
        "uri": f"{SITE}{organization.get_absolute_url()}",
    }
    assert body(get(client, f"/api/v1/authors/{author.slug}")) == {
        "slug": author.slug,
        "name": "Nguyễn Văn An",
        "bio": "Phóng viên.",
        "uri": f"{SITE}{author.get_absolute_url()}",
    }
    assert body(get(client, f"/api/v1/sections/{section.slug}")) == {
        "slug": section.slug,
        "name": "Giáo dục",
        "description": "Tin giáo dục.",
        "position": section.position,
        "uri": f"{SITE}{section.get_absolute_url()}",
    }
    assert body(get(client, f"/api/v1/tags/{tag.slug}")) == {
        "slug": tag.slug,
        "name": "Nhân tài",
        "uri": f"{SITE}{tag.get_absolute_url()}",
    }
    # Every one, live stories or not: each has its public page already.
    assert [o["slug"] for o in body(get(client, "/api/v1/organisations"))["items"]] == sorted(
        [parent.slug, organization.slug]
    )
    assert [s["slug"] for s in body(get(client, "/api/v1/sections"))] == [section.slug]
    for kind in ["organisations", "authors", "sections", "tags"]:
        assert body(get(client, f"/api/v1/{kind}/khong-co"), 404)["error"] == "not_found"


def test_author_pages_walk_every_author_once(client):
    authors = [make_author() for _ in range(7)]
    seen, url = [], "/api/v1/authors?limit=3"
    while url:
        data = body(get(client, url.removeprefix(SITE)))
        seen += [a["slug"] for a in data["items"]]
        url = data["next"]
    assert seen == sorted(a.slug for a in authors)


# Query budgets -------------------------------------------------------------------------------------------------


def stories(count):
    section, photo = make_section(), with_alt(make_photo())
    editor = make_editor() if not get_user_model().objects.filter(username="bientap").exists() else None
    editor = editor or get_user_model().objects.get(username="bientap")
    made = []
    for _ in range(count):
        article = make_article(
            section=section,
            featured_photo=photo,
            body=f'<figure><img src="{photo.get_absolute_url()}" alt=""></figure>',
            authors=[make_author(), make_author()],
            tags=[make_tag(), make_tag()],
            organizations=[make_organization()],
        )
        article_correct(article=article, by=editor, text="Sửa.")
        made.append(article)
    return made


@pytest.mark.parametrize("count", [1, 30])
def test_the_article_list_runs_six_queries_whatever_its_length(client, count, django_assert_num_queries):
    made = stories(count)
    # The articles, their bylines, organisations, tags, corrections, and the body's photos.
    with django_assert_num_queries(6):
        data = list_items(client, "?limit=30")
    assert len(data["items"]) == count
    with django_assert_num_queries(6):
        body(get(client, f"/api/v1/articles/{made[0].slug}"))
    tag = made[0].tags.first()
    with django_assert_num_queries(6):
        list_items(client, f"?limit=30&updated_since=2000-01-01&tag={tag.slug}")


@pytest.mark.parametrize("count", [1, 30])
def test_the_other_lists_run_one_query(client, count, django_assert_num_queries):
    parent = make_organization()
    for _ in range(count):
        make_author()
        make_tag()
        make_section()
        make_organization(parent=parent)
    for path in ["/api/v1/authors", "/api/v1/tags", "/api/v1/sections", "/api/v1/organisations"]:
        with django_assert_num_queries(1):
            body(get(client, path))
    one = {
        "organisations": parent.slug,
        "authors": Author.objects.first().slug,
        "tags": Tag.objects.first().slug,
        "sections": Section.objects.first().slug,
    }
    for kind, slug in one.items():
        with django_assert_num_queries(1):
            body(get(client, f"/api/v1/{kind}/{slug}"))


def test_openapi_json_and_errors_run_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        body(get(client, "/api/v1/openapi.json"))
        body(get(client, "/api/v1/articles?limit=0"), 400)
        body(get(client, "/api/v1/khong-co"), 404)


def test_a_story_without_body_photos_saves_the_photo_query(client, django_assert_num_queries):
    make_article()
    with django_assert_num_queries(5):
        list_items(client)
    with django_assert_num_queries(1):
        assert list_items(client, "?section=khong-co")["items"] == []


# OpenAPI --------------------------------------------------------------------------------------------------------


def test_openapi_names_every_endpoint_and_the_error_shape(client):
    schema = body(get(client, "/api/v1/openapi.json"))
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/articles",
        "/api/v1/articles/{slug}",
        "/api/v1/sections",
        "/api/v1/sections/{slug}",
        "/api/v1/tags",
        "/api/v1/tags/{slug}",
        "/api/v1/authors",
        "/api/v1/authors/{slug}",
        "/api/v1/organisations",
        "/api/v1/organisations/{slug}",
    }
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        responses = operations["get"]["responses"]
        assert responses["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        if path.endswith("{slug}"):
            assert "404" in responses
    params = {p["name"] for p in schema["paths"]["/api/v1/articles"]["get"]["parameters"]}
    assert params == {"section", "tag", "organisation", "author", "updated_since", "cursor", "limit"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["error", "detail"]


def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    # No inline script: the only <script> without src is the JSON settings block, which browsers do not run.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)[1])
    assert settings["validatorUrl"] is None and settings["url"] == "/api/v1/openapi.json"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "img-src 'self' data:" in policy and "unsafe" not in policy


RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => window.__csp.push(event.blockedURI));
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)")
def test_the_docs_page_works_in_a_browser_under_the_sites_policy(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    make_article(title="Bài thử")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs", wait_until="networkidle")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() == 10
    page.locator(".opblock-summary").first.click()
    page.get_by_text("Try it out").click()
    page.get_by_text("Execute").click()
    page.locator(".live-responses-table .response .response-col_status").first.wait_for()
    assert page.locator(".live-responses-table .response .response-col_status").first.inner_text().strip() == "200"
    assert "Bài thử" in page.locator(".live-responses-table .microlight").first.inner_text()
    assert page.evaluate("window.__csp") == [] and errors == []
    assert requests and all(url.startswith(live_server.url) for url in requests), requests
    context.close()
