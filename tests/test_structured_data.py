"""JSON-LD (NewsArticle, Organization, BreadcrumbList) and OpenGraph/Twitter tags, read back out of the pages.

Each JSON-LD block is taken out of the HTML as a crawler takes it (the text of the <script> element) and
parsed with json.loads; every property is checked, addresses against the configured SITE_URL.
"""

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from articles import structured_data
from articles.corrections import article_correct, article_mark_updated
from articles.models import Article
from tests.factories import (
    jpeg_bytes,
    make_article,
    make_author,
    make_organization,
    make_photo,
    make_section,
    make_tag,
)

pytestmark = pytest.mark.django_db

SITE = "https://news.example.vn"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLISHED = dt.datetime(2024, 4, 4, 13, 33, tzinfo=VN)
LD_BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
ISO_VN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def json_ld(response):
    """Every JSON-LD block of the page, parsed; the page holds no other inline script."""
    html = response.content.decode()
    blocks = [json.loads(text) for text in LD_BLOCK.findall(html)]
    inline = re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>", html)
    assert len(inline) == len(blocks), inline
    return blocks


def of_type(response, kind):
    found = [block for block in json_ld(response) if block["@type"] == kind]
    assert len(found) == 1, [block["@type"] for block in json_ld(response)]
    return found[0]


class MetaTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.tags.append((attrs.get("property") or attrs["name"], attrs.get("content")))


def meta(response):
    """{property or name: [contents]} of the page's <meta> tags."""
    parser = MetaTags()
    parser.feed(response.content.decode())
    found = {}
    for key, content in parser.tags:
        found.setdefault(key, []).append(content)
    return found


def big_photo(**kwargs):
    """A photo large enough for the full 1200×630 share crop."""
    image = SimpleUploadedFile("cang.jpg", jpeg_bytes((1600, 1000)), content_type="image/jpeg")
    return make_photo(image=image, alt_text="Tàu vào cảng Lạch Huyện", **kwargs)


def make_editor():
    user = get_user_model().objects.create_user("bientap", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Biên tập viên"))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def story():
    an, binh = make_author(name="Nguyễn Văn An"), make_author(name="Trần Thị Bình")
    return make_article(
        title="Cảng Lạch Huyện đón tàu 200.000 tấn",
        lead="Hai bến mới  của cảng\nnước sâu đã nhận tàu đầu tiên.",
        section=make_section(name="Kinh tế"),
        authors=[binh, an],
        tags=[make_tag(name="Cảng biển"), make_tag(name="Logistics")],
        organizations=[make_organization(name="Cảng Hải Phòng")],
        featured_photo=big_photo(),
        publish_at=PUBLISHED,
    )


def test_an_article_is_a_news_article_with_every_property(client, story):
    editor = make_editor()
    corrected_at = dt.datetime(2024, 4, 5, 9, 0, tzinfo=VN)
    article_correct(
        article=story, by=editor, text="Tàu có trọng tải 200.000 tấn, không phải 100.000 tấn.", at=corrected_at
    )
    article_mark_updated(
        article=story, by=editor, note="Thêm ý kiến của cảng vụ.", at=corrected_at + dt.timedelta(hours=2)
    )
    story.refresh_from_db()
    url = f"{SITE}{story.get_absolute_url()}"

    data = of_type(client.get(story.get_absolute_url()), "NewsArticle")

    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Cảng Lạch Huyện đón tàu 200.000 tấn"
    assert data["description"] == "Hai bến mới của cảng nước sâu đã nhận tàu đầu tiên."
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["datePublished"] == "2024-04-04T13:33:00+07:00"
    # The last update or correction, as Article.last_modified says: here the update two hours after.
    assert data["dateModified"] == "2024-04-05T11:00:00+07:00"
    assert data["author"] == [
        {"@type": "Person", "name": "Trần Thị Bình", "url": f"{SITE}/tac-gia/tran-thi-binh/"},
        {"@type": "Person", "name": "Nguyễn Văn An", "url": f"{SITE}/tac-gia/nguyen-van-an/"},
    ]
    photo = story.featured_photo
    assert data["image"] == [
        {"@type": "ImageObject", "url": f"{SITE}{photo.rendition_list(kind)[-1].url}", "width": w, "height": h}
        for kind, w, h in (("share", 1200, 630), ("card", 1280, 720), ("square", 640, 640))
    ]
    assert data["articleSection"] == "Kinh tế"
    assert data["keywords"] == ["Cảng biển", "Logistics"]
    assert data["inLanguage"] == "vi"
    assert data["isAccessibleForFree"] is True
    assert data["about"] == [
        {"@type": "Organization", "name": "Cảng Hải Phòng", "url": f"{SITE}/to-chuc/cang-hai-phong/"}
    ]
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization",
        "name": django_settings.SITE_NAME,
        "url": f"{SITE}/",
        "logo": {"@type": "ImageObject", "url": f"{SITE}/static/img/publisher-logo.png", "width": 600, "height": 60},
    }
    # Only corrections are `correction` entries: an update is not a correction.
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Tàu có trọng tải 200.000 tấn, không phải 100.000 tấn.",
            "datePublished": "2024-04-05T09:00:00+07:00",
        }
    ]


def test_the_publisher_logo_is_the_size_the_data_says():
    path = Path(django_settings.BASE_DIR) / "static" / structured_data.LOGO_PATH
    with Image.open(path) as logo:
        assert logo.size == structured_data.LOGO_SIZE == (600, 60)
        assert logo.format == "PNG"


def test_a_story_without_photo_section_tags_or_corrections_leaves_those_out(client):
    article = make_article(title="Tin ngắn", authors=[make_author(name="Lê Minh")])
    data = of_type(client.get(article.get_absolute_url()), "NewsArticle")
    for key in ("image", "articleSection", "keywords", "about", "correction"):
        assert key not in data
    assert ISO_VN.fullmatch(data["datePublished"])
    assert data["dateModified"] == data["datePublished"]


def test_a_free_text_byline_is_the_author_the_page_shows(client):
    article = make_article(byline="Nhóm phóng viên Thời sự", authors=[make_author(name="Lê Minh")])
    data = of_type(client.get(article.get_absolute_url()), "NewsArticle")
    assert data["author"] == [{"@type": "Person", "name": "Nhóm phóng viên Thời sự"}]


@pytest.mark.parametrize(
    ("lead", "body", "expected"),
    [
        ("Sapo <b>ngắn</b> &amp; rõ.", "<p>Thân bài.</p>", "Sapo ngắn & rõ."),
        ("", "<p>Đoạn <em>đầu</em> của bài.</p><p>Đoạn hai.</p>", "Đoạn đầu của bài. Đoạn hai."),
        ("", "<figure><figcaption>Chú thích</figcaption></figure><h2>Ý một</h2><p>Đoạn<br>mới.</p>", "Ý một Đoạn mới."),
        ("   ", "", f"{django_settings.SITE_NAME}: tin tức Hải Phòng mỗi ngày."),
    ],
)
def test_the_description_is_the_lead_else_the_body_else_the_site(client, lead, body, expected):
    article = make_article(lead=lead, body=body)
    response = client.get(article.get_absolute_url())
    assert of_type(response, "NewsArticle")["description"] == expected
    tags = meta(response)
    assert tags["description"] == tags["og:description"] == tags["twitter:description"] == [expected]


def test_a_long_lead_is_cut_at_a_word_with_an_ellipsis():
    words = "Hải Phòng đặt mục tiêu đào tạo một nghìn kỹ sư chất lượng cao trong năm năm tới, " * 5
    description = structured_data.article_description(Article(lead=words), "")
    assert len(description) <= structured_data.DESCRIPTION_MAX
    assert description.endswith("…")
    assert words.startswith(description[:-1])
    assert words[len(description) - 1] == " "  # the cut falls between words
    assert structured_data.truncated("x" * 300).endswith("…")  # one endless word is cut all the same
    assert len(structured_data.truncated("x" * 300)) == structured_data.DESCRIPTION_MAX


HOSTILE = "Tin </script><script>alert(1)</script> <!-- \"nháy\" & 'đơn' \u2028dòng\u2029 </SCRIPT >"


def test_hostile_text_stays_inside_the_json(client):
    article = make_article(
        title=HOSTILE, lead=HOSTILE, section=make_section(name=HOSTILE), tags=[make_tag(name=HOSTILE)]
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    blocks = json_ld(response)  # every inline <script> is a JSON-LD block that parses
    assert [block["@type"] for block in blocks] == ["NewsArticle", "BreadcrumbList"]
    data = blocks[0]
    assert data["headline"] == HOSTILE
    assert data["articleSection"] == HOSTILE
    assert data["keywords"] == [HOSTILE]
    assert blocks[1]["itemListElement"][-1]["name"] == HOSTILE
    for text in LD_BLOCK.findall(html):
        assert not re.search(r"[<>&\u2028\u2029]", text)
    assert "<script>alert(1)" not in html
    # In the meta tags it is an attribute value, HTML-escaped.
    assert meta(response)["og:title"] == [HOSTILE]


def test_an_organisation_page_describes_it_as_an_organization(client):
    parent = make_organization(name="Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Hải Phòng")
    logo = make_photo(alt_text="Biểu trưng của Hội")
    org = make_organization(
        name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
        short_name="Hội KHPTNNL",
        aliases="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố\n\nHội KHPTNNL\n",
        description="Thành lập năm 2012.\nHội viên là các nhà khoa học & doanh nghiệp.",
        founded_on=dt.date(2012, 1, 1),
        founding_document="Quyết định số 520 QĐ-CT",
        member_count=125,
        website="https://hoikhoahoc.haiphong.gov.vn/",
        logo=logo,
        parent=parent,
    )
    response = client.get(org.get_absolute_url())
    data = of_type(response, "Organization")

    assert data == {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": org.name,
        "url": f"{SITE}{org.get_absolute_url()}",
        "alternateName": ["Hội KHPTNNL", "Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố"],
        "description": "Thành lập năm 2012. Hội viên là các nhà khoa học & doanh nghiệp.",
        "foundingDate": "2012",
        "sameAs": ["https://hoikhoahoc.haiphong.gov.vn/"],
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "name": "Số hội viên",
            "interactionType": "https://schema.org/JoinAction",
            "userInteractionCount": 125,
        },
        "logo": {
            "@type": "ImageObject",
            "url": f"{SITE}{logo.rendition_list('square')[-1].url}",
            "width": logo.rendition_list("square")[-1].width,
            "height": logo.rendition_list("square")[-1].height,
        },
        "parentOrganization": {
            "@type": "Organization",
            "name": parent.name,
            "url": f"{SITE}{parent.get_absolute_url()}",
        },
    }
    crumbs = of_type(response, "BreadcrumbList")["itemListElement"]
    assert [(c["name"], c["item"]) for c in crumbs] == [("Trang chủ", f"{SITE}/"), (org.name, data["url"])]


def test_an_organisation_with_only_a_name_says_only_that(client):
    org = make_organization(name="Sở Nội vụ")
    data = of_type(client.get(org.get_absolute_url()), "Organization")
    assert data == {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": "Sở Nội vụ",
        "url": f"{SITE}/to-chuc/so-noi-vu/",
    }


def crumbs_of(response):
    items = of_type(response, "BreadcrumbList")["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert all(item["@type"] == "ListItem" and item["item"].startswith(f"{SITE}/") for item in items)
    return [(item["name"], item["item"]) for item in items]


def test_an_articles_breadcrumbs_run_home_section_story(client, story):
    assert crumbs_of(client.get(story.get_absolute_url())) == [
        ("Trang chủ", f"{SITE}/"),
        ("Kinh tế", f"{SITE}{story.section.get_absolute_url()}"),
        (story.title, f"{SITE}{story.get_absolute_url()}"),
    ]
    loose = make_article(title="Không chuyên mục")
    assert crumbs_of(client.get(loose.get_absolute_url())) == [
        ("Trang chủ", f"{SITE}/"),
        ("Không chuyên mục", f"{SITE}{loose.get_absolute_url()}"),
    ]


@pytest.mark.parametrize("kind", ["section", "tag", "author", "organization"])
def test_listings_have_breadcrumbs_on_every_page(client, kind):
    owner = {
        "section": lambda: make_section(name="Giáo dục"),
        "tag": lambda: make_tag(name="Nguồn nhân lực"),
        "author": lambda: make_author(name="Đặng Thùy Dương"),
        "organization": lambda: make_organization(name="Sở Giáo dục"),
    }[kind]()
    link = {"section": {"section": owner}, "tag": {"tags": [owner]}, "author": {"authors": [owner]}}
    for _ in range(21):
        make_article(**link.get(kind, {"organizations": [owner]}))
    path = owner.get_absolute_url()

    first = crumbs_of(client.get(path))
    second = crumbs_of(client.get(path, {"trang": 2}))

    assert first == [("Trang chủ", f"{SITE}/"), (owner.name, f"{SITE}{path}")]
    assert second == [*first, ("Trang 2", f"{SITE}{path}?trang=2")]


def test_the_corrections_page_has_breadcrumbs(client):
    assert crumbs_of(client.get("/dinh-chinh/")) == [("Trang chủ", f"{SITE}/"), ("Đính chính", f"{SITE}/dinh-chinh/")]


def test_the_home_page_names_the_publisher(client):
    make_article()
    response = client.get("/")
    data = of_type(response, "NewsMediaOrganization")
    assert data["@context"] == "https://schema.org"
    assert data["name"] == django_settings.SITE_NAME
    assert data["url"] == f"{SITE}/"
    assert data["logo"]["url"] == f"{SITE}/static/img/publisher-logo.png"
    tags = meta(response)
    assert tags["og:type"] == ["website"]
    assert tags["og:url"] == [f"{SITE}/"]
    assert tags["og:title"] == [django_settings.SITE_NAME]
    assert tags["twitter:card"] == ["summary"]


def test_an_article_has_opengraph_and_twitter_tags_with_the_share_crop(client, story):
    response = client.get(story.get_absolute_url())
    share = story.featured_photo.rendition_list("share")[-1]
    tags = meta(response)

    assert tags["og:type"] == ["article"]
    assert tags["og:title"] == tags["twitter:title"] == [story.title]
    assert tags["og:url"] == [f"{SITE}{story.get_absolute_url()}"]
    assert tags["og:site_name"] == [django_settings.SITE_NAME]
    assert tags["og:locale"] == ["vi_VN"]
    assert tags["og:image"] == tags["twitter:image"] == [f"{SITE}{share.url}"]
    assert (tags["og:image:width"], tags["og:image:height"]) == (["1200"], ["630"])
    assert tags["og:image:type"] == ["image/jpeg"]
    assert tags["og:image:alt"] == tags["twitter:image:alt"] == ["Tàu vào cảng Lạch Huyện"]
    assert tags["article:published_time"] == tags["article:modified_time"] == ["2024-04-04T13:33:00+07:00"]
    assert tags["article:section"] == ["Kinh tế"]
    assert tags["article:tag"] == ["Cảng biển", "Logistics"]
    assert tags["article:author"] == [f"{SITE}/tac-gia/tran-thi-binh/", f"{SITE}/tac-gia/nguyen-van-an/"]
    assert tags["twitter:card"] == ["summary_large_image"]


def test_a_story_whose_photo_is_only_in_the_body_shares_that_photo(client):
    photo = big_photo()
    article = make_article(body=f'<p>Đoạn.</p><figure><img src="{photo.get_absolute_url()}" alt=""></figure>')
    tags = meta(client.get(article.get_absolute_url()))
    assert tags["og:image"] == [f"{SITE}{photo.rendition_list('share')[-1].url}"]


def test_a_story_without_a_photo_has_a_summary_card_and_no_image(client):
    tags = meta(client.get(make_article().get_absolute_url()))
    assert tags["twitter:card"] == ["summary"]
    assert "og:image" not in tags
    assert "twitter:image" not in tags


def test_listings_have_opengraph_tags_naming_their_own_page(client):
    author = make_author(
        name="Đặng Thùy Dương", bio="Phóng viên mảng giáo dục.", photo=make_photo(alt_text="Chân dung")
    )
    for _ in range(21):
        make_article(authors=[author])
    tags = meta(client.get(author.get_absolute_url(), {"trang": 2}))
    assert tags["og:type"] == ["website"]
    assert tags["og:title"] == ["Đặng Thùy Dương — Trang 2"]
    assert tags["og:url"] == [f"{SITE}{author.get_absolute_url()}?trang=2"]
    assert tags["og:description"] == tags["description"] == ["Phóng viên mảng giáo dục."]
    assert tags["og:image"] == [f"{SITE}{author.photo.rendition_list('square')[-1].url}"]
    assert tags["twitter:card"] == ["summary"]


def _queries(client, article):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_structured_data_costs_no_query_however_many_authors_tags_and_corrections(client):
    editor = make_editor()
    small = make_article(authors=[make_author()], tags=[make_tag()], featured_photo=big_photo())
    large = make_article(
        authors=[make_author() for _ in range(4)],
        tags=[make_tag() for _ in range(5)],
        organizations=[make_organization() for _ in range(3)],
        featured_photo=big_photo(),
    )
    for article in (small, large):
        article_correct(article=article, by=editor, text="Sửa một chi tiết.")
    for _ in range(3):
        article_correct(article=large, by=editor, text="Sửa thêm.")
    assert _queries(client, small) == _queries(client, large)
    assert len(of_type(client.get(large.get_absolute_url()), "NewsArticle")["correction"]) == 4


def test_a_description_from_a_raw_body_says_only_what_the_page_shows(client):
    article = make_article(lead="")
    # Written past the model's sanitiser, as a fixture or SQL could: the page drops the script, so does the data.
    Article.objects.filter(pk=article.pk).update(
        body="<p>Tin \u202enóng</p><script>alert(1)</script><style>p{}</style>", lead="\u2066"
    )
    response = client.get(article.get_absolute_url())
    assert of_type(response, "NewsArticle")["description"] == "Tin nóng"
    assert meta(response)["description"] == ["Tin nóng"]
    assert "alert(1)" not in response.content.decode()
