import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.links import absolute_url
from articles.models import Article
from photos.templatetags.photo_tags import LAYOUTS
from tests.factories import (
    make_article,
    make_author,
    make_organization,
    make_photo,
    make_section,
    make_tag,
)

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTICLE_SIZES = LAYOUTS["article"].sizes


@pytest.fixture
def editor(client):
    """A member of the Editor group, who may preview any story."""
    user = User.objects.create_user("bientap", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Biên tập viên"))
    client.force_login(user)
    return user


def test_article_page_shows_everything_a_reader_needs(client):
    section = make_section(name="Giáo dục")
    an, binh = make_author(name="Nguyễn Văn An"), make_author(name="Trần Thị Bình")
    organization = make_organization(name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng")
    tag = make_tag(name="Nguồn nhân lực")
    photo = make_photo(caption="Lễ ra mắt đề án", credit="Ảnh: Minh Anh", alt_text="Hội trường kín chỗ")
    article = make_article(
        title="Đề án đào tạo nhân lực",
        lead="Hải Phòng đặt mục tiêu đào tạo 1.000 kỹ sư.",
        body="<p>Đoạn một.</p><h2>Mục tiêu</h2><p>Đoạn hai.</p>",
        section=section,
        authors=[binh, an],
        organizations=[organization],
        tags=[tag],
        featured_photo=photo,
        publish_at=dt.datetime(2024, 4, 4, 13, 33, tzinfo=VN),
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assertContains(response, '<html lang="vi">')
    assertContains(response, '<h1 class="article__title">Đề án đào tạo nhân lực</h1>', html=True)
    assertContains(response, '<time datetime="2024-04-04T13:33:00+07:00">04/04/2024 13:33</time>', html=True)
    assertContains(
        response,
        f'<span class="authors"><a href="{binh.get_absolute_url()}" rel="author">Trần Thị Bình</a> và '
        f'<a href="{an.get_absolute_url()}" rel="author">Nguyễn Văn An</a></span>',
        html=True,
    )
    assertContains(response, '<p class="article__lead">Hải Phòng đặt mục tiêu đào tạo 1.000 kỹ sư.</p>', html=True)
    jpeg, webp = photo.rendition("w", "jpeg"), photo.rendition("w", "webp")
    assertContains(
        response,
        f'<picture><source type="image/webp" srcset="{webp.url} 64w" sizes="{ARTICLE_SIZES}">'
        f'<img src="{jpeg.url}" srcset="{jpeg.url} 64w" sizes="{ARTICLE_SIZES}" width="64" height="48" '
        'alt="Hội trường kín chỗ" fetchpriority="high" decoding="async"></picture>',
        html=True,
    )
    assertNotContains(response, photo.image.url)  # the master is never what a reader downloads
    assertContains(response, 'Lễ ra mắt đề án <span class="credit">Ảnh: Minh Anh</span>')
    assertContains(response, "<h2>Mục tiêu</h2>", html=True)
    assertContains(response, f'<a href="{organization.get_absolute_url()}">{organization.name}</a>', html=True)
    assertContains(response, f'<a href="{tag.get_absolute_url()}" rel="tag">Nguồn nhân lực</a>', html=True)
    assertContains(response, f'<a class="kicker" href="{section.get_absolute_url()}">Giáo dục</a>', html=True)
    assertNotContains(response, "Bản xem trước")
    assert "no-cache" not in response.get("Cache-Control", "")


def test_free_text_byline_replaces_the_author_list(client):
    article = make_article(authors=[make_author(name="Lê Minh")], byline="Nhóm phóng viên Thời sự")
    response = client.get(article.get_absolute_url())
    assertContains(response, '<span class="authors">Nhóm phóng viên Thời sự</span>', html=True)
    assertNotContains(response, "Lê Minh")


def test_body_photos_show_their_current_caption_and_credit(client):
    photo = make_photo(caption="Chú thích cũ", credit="Ảnh: A")
    missing = make_photo(with_image=False, caption="Ảnh chưa có tệp")
    article = make_article(
        body=(
            f'<p>Trước.</p><figure><img src="{photo.get_absolute_url()}" alt="cũ"><figcaption>Chú thích cũ'
            f'</figcaption></figure><figure><img src="{missing.get_absolute_url()}" alt="">'
            "<figcaption>Ảnh chưa có tệp</figcaption></figure><p>Sau.</p>"
        )
    )
    photo.caption = "Chú thích đã sửa"
    photo.save()

    response = client.get(article.get_absolute_url())

    assertContains(response, 'Chú thích đã sửa <span class="credit">Ảnh: A</span>')
    assertContains(response, f'<img src="{photo.rendition("w", "jpeg").url}" srcset=')
    assertContains(response, 'alt="Chú thích đã sửa" loading="lazy" decoding="async"')
    assertNotContains(response, "Chú thích cũ")
    assertNotContains(response, "Ảnh chưa có tệp")  # a photo without its file is left out, not broken
    assertNotContains(response, "/anh/")
    assertContains(response, "<p>Trước.</p>", html=True)
    assertContains(response, "<p>Sau.</p>", html=True)


def test_related_stories_share_an_organisation_or_tag(client):
    organization = make_organization()
    article = make_article(organizations=[organization])
    related = make_article(title="Tin cùng tổ chức", organizations=[organization])
    make_article(title="Tin không liên quan")
    draft = make_article(title="Bản nháp cùng tổ chức", live=False, organizations=[organization])

    response = client.get(article.get_absolute_url())

    assertContains(response, "Tin liên quan")
    assertContains(response, f'<a href="{related.get_absolute_url()}">Tin cùng tổ chức</a>', html=True)
    assertNotContains(response, "Tin không liên quan")
    assertNotContains(response, draft.title)


@pytest.mark.parametrize("kind", ["draft", "review", "scheduled", "expired", "archived"])
def test_non_live_article_is_404_to_the_public(client, kind):
    now = timezone.now()
    article = {
        "draft": lambda: make_article(live=False),
        "review": lambda: make_article(live=False, status=Article.Status.REVIEW),
        "scheduled": lambda: make_article(publish_at=now + dt.timedelta(hours=2)),
        "expired": lambda: make_article(publish_at=now - dt.timedelta(days=2), expire_at=now - dt.timedelta(days=1)),
        "archived": lambda: make_article(live=False, status=Article.Status.ARCHIVED, publish_at=now),
    }[kind]()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assertNotContains(response, article.title, status_code=404)


def test_staff_who_can_edit_preview_a_non_live_article_with_a_banner_and_no_cache(client, editor):
    article = make_article(title="Bài hẹn giờ", publish_at=dt.datetime(2099, 1, 2, 8, 0, tzinfo=VN))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, "Bản xem trước — bài chưa xuất bản")
    assertContains(response, "Bài hẹn giờ, tự lên trang lúc 02/01/2099 08:00.")
    assertContains(response, f'href="/admin/articles/article/{article.pk}/change/"')
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)


def test_staff_without_edit_permission_cannot_preview(client):
    client.force_login(User.objects.create_user("khach", password="x", is_staff=True))
    article = make_article(live=False)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_staff_see_a_live_article_without_banner_and_no_shared_cache_keeps_it(client, editor):
    article = make_article()
    response = client.get(article.get_absolute_url())
    assertNotContains(response, "Bản xem trước")
    assert "X-Robots-Tag" not in response
    # A signed-in user's answer is theirs alone (newsroom/pagecache.py), live story or not.
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_home_shows_lead_story_with_photo_latest_and_sections(client):
    thoi_su, kinh_te = make_section(name="Thời sự", position=1), make_section(name="Kinh tế", position=2)
    make_section(name="Chuyên mục trống", position=3)
    photo = make_photo(caption="Cảng Lạch Huyện")
    newest = make_article(title="Tin mới nhất không ảnh", section=thoi_su, publish_at=timezone.now())
    lead = make_article(
        title="Cảng Lạch Huyện đón tàu lớn",
        section=kinh_te,
        featured_photo=photo,
        publish_at=timezone.now() - dt.timedelta(minutes=5),
    )
    make_article(title="Bài nháp", live=False, section=thoi_su)

    response = client.get("/")

    assert response.context["lead"] == lead
    assert response.context["secondary"] == [newest]
    assert response.context["latest"] == []
    assertContains(response, f'<a href="{lead.get_absolute_url()}">Cảng Lạch Huyện đón tàu lớn</a>', html=True)
    card = photo.rendition("card", "jpeg")
    assertContains(response, f'<img src="{card.url}" srcset="{card.url} 64w" sizes="{LAYOUTS["home-lead"].sizes}"')
    assertContains(response, 'fetchpriority="high"', count=1)
    assert response.context["section_blocks"] == []  # both stories are already shown above
    assertNotContains(response, "Bài nháp")
    assertContains(response, '<a href="/chuyen-muc/thoi-su/">Thời sự</a>', html=True)


def test_home_section_block_shows_the_four_stories_after_those_at_the_top(client):
    section = make_section(name="Xã hội")
    articles = [make_article(section=section, publish_at=timezone.now() - dt.timedelta(hours=h)) for h in range(1, 21)]
    response = client.get("/")
    [(block_section, block)] = response.context["section_blocks"]
    assert block_section == section
    assert block == articles[12:16]  # the twelve newest are the lead, the secondary stories and "Tin mới"


def test_home_shows_each_story_once_and_fills_every_section_block(client):
    now = timezone.now()
    thoi_su, kinh_te, xa_hoi = (
        make_section(name=n, position=p) for p, n in enumerate(["Thời sự", "Kinh tế", "Xã hội"])
    )
    photo = make_photo()
    # The twelve newest (minutes 1-12) fill the top: ten from Thời sự, two from Kinh tế, which have photos.
    stories = {
        thoi_su: [
            make_article(section=thoi_su, publish_at=now - dt.timedelta(minutes=m))
            for m in [*range(1, 11), *range(13, 18)]
        ],
        kinh_te: [
            make_article(section=kinh_te, featured_photo=photo, publish_at=now - dt.timedelta(minutes=m))
            for m in (11, 12, 40, 41, 42, 43, 44)
        ],
        xa_hoi: [make_article(section=xa_hoi, publish_at=now - dt.timedelta(minutes=m)) for m in (50, 51)],
    }

    response = client.get("/")
    context = response.context

    top = [context["lead"], *context["secondary"], *context["latest"]]
    blocks = dict(context["section_blocks"])
    assert context["lead"] == stories[kinh_te][0]  # the newest with a photo
    assert blocks[thoi_su] == stories[thoi_su][10:14]
    assert blocks[kinh_te] == stories[kinh_te][2:6]
    assert blocks[xa_hoi] == stories[xa_hoi]  # fewer than four left: all of them
    assert list(blocks) == [thoi_su, kinh_te, xa_hoi]
    shown = top + [article for block in blocks.values() for article in block]
    assert len(shown) == len(set(shown)) == 12 + 4 + 4 + 2
    html = response.content.decode()
    for article in shown:
        assert html.count(f'<a href="{article.get_absolute_url()}">{article.title}</a>') == 1, article.title


def test_empty_home_says_so(client):
    response = client.get("/")
    assertContains(response, "Chưa có bài viết nào được xuất bản.")


def test_section_page_lists_its_live_articles_paginated(client):
    section = make_section(name="Kinh tế", description="Kinh tế Hải Phòng")
    other = make_section(name="Thể thao")
    mine = [make_article(section=section, publish_at=timezone.now() - dt.timedelta(hours=h)) for h in range(1, 23)]
    make_article(section=other, title="Bóng đá")

    first = client.get(section.get_absolute_url())
    second = client.get(section.get_absolute_url(), {"trang": 2})

    assert list(first.context["articles"]) == mine[:20]
    assert list(second.context["articles"]) == mine[20:]
    assertContains(first, "<h1>Kinh tế</h1>", html=True)
    assertContains(first, "Kinh tế Hải Phòng")
    assertContains(first, 'href="?trang=2" rel="next"')
    assertContains(first, '<a href="/chuyen-muc/kinh-te/" aria-current="page">Kinh tế</a>', html=True)
    assertNotContains(first, "Bóng đá")
    assert client.get(section.get_absolute_url(), {"trang": 9}).status_code == 404
    assert client.get("/chuyen-muc/khong-co/").status_code == 404


def test_tag_and_author_pages(client):
    tag, author = make_tag(name="Chuyển đổi số"), make_author(name="Phạm Hà", bio="Phóng viên kinh tế.")
    tagged = make_article(title="Số hóa hồ sơ", tags=[tag], authors=[author])
    make_article(title="Không gắn thẻ")
    make_article(title="Nháp của tác giả", live=False, authors=[author], tags=[tag])

    tag_page = client.get(tag.get_absolute_url())
    author_page = client.get(author.get_absolute_url())

    assert list(tag_page.context["articles"]) == [tagged]
    assertContains(tag_page, "<h1>Chuyển đổi số</h1>", html=True)
    assert list(author_page.context["articles"]) == [tagged]
    assertContains(author_page, "<h1>Phạm Hà</h1>", html=True)
    assertContains(author_page, "Phóng viên kinh tế.")
    assertNotContains(author_page, "Nháp của tác giả")


def test_organization_page_shows_its_facts_and_stories(client):
    parent = make_organization(name="Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Hải Phòng")
    organization = make_organization(
        name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
        description="Tổ chức khoa học của thành phố.",
        founded_on=dt.date(2012, 1, 1),
        founding_document="Quyết định số 520 QĐ-CT của UBND thành phố Hải Phòng",
        member_count=125,
        website="https://example.vn",
        parent=parent,
    )
    story = make_article(title="Hội ra mắt đề án", organizations=[organization])
    make_article(title="Bài không nhắc tới hội")

    response = client.get(organization.get_absolute_url())

    assertContains(response, f"<h1>{organization.name}</h1>", html=True)
    assertContains(response, "<dt>Thành lập</dt><dd>Năm 2012</dd>", html=True)
    assertContains(
        response,
        '<dt>Văn bản thành lập</dt><dd>Quyết định số <span class="nowrap">520 QĐ-CT</span> của UBND thành phố Hải Phòng'
        "</dd>",
        html=True,
    )
    assertContains(response, "<dt>Số hội viên</dt><dd>125</dd>", html=True)
    assertContains(response, f'<a href="{parent.get_absolute_url()}">{parent.name}</a>', html=True)
    assertContains(response, '<a href="https://example.vn" rel="noopener noreferrer">https://example.vn</a>', html=True)
    assert list(response.context["articles"]) == [story]


def test_user_text_is_escaped(client):
    article = make_article(title="<script>alert(1)</script>Tin", lead="<b>sapo</b>")
    response = client.get(article.get_absolute_url())
    assertNotContains(response, "<script>alert(1)</script>")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;Tin")
    assertContains(response, "&lt;b&gt;sapo&lt;/b&gt;")


def test_photo_address_redirects_staff_to_the_file_and_hides_from_public(client, editor):
    photo = make_photo()
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == photo.image.url
    assert client.get(make_photo(with_image=False).get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(photo.get_absolute_url()).status_code == 404


def test_404_page_is_the_newspapers_own(client, settings):
    settings.DEBUG = False
    response = client.get("/bai-viet/khong-ton-tai/")
    assertContains(response, "Không tìm thấy trang", status_code=404)
    assertContains(response, '<html lang="vi">', status_code=404)


# Query budgets (docs/architecture.md, "Budgets"): the same count however much content there is.


def _grow(n, sections):
    """`n` live stories, each with a featured photo and two body figures of its own and one shared, by authors
    with portraits, about organisations with logos: every photo a page may draw, growing with the stories."""
    shared = make_photo()
    authors = [make_author(photo=make_photo()) for _ in range(3)]
    organizations = [make_organization(logo=make_photo()) for _ in range(2)]
    tags = [make_tag() for _ in range(2)]
    for i in range(n):
        figures = "".join(
            f'<figure><img src="{photo.get_absolute_url()}" alt=""></figure><p>Đoạn.</p>'
            for photo in (make_photo(), make_photo(), shared)
        )
        make_article(
            section=sections[i % len(sections)],
            authors=authors[: 1 + i % 3],
            organizations=organizations[: i % 3],
            tags=tags[: 1 + i % 2],
            featured_photo=make_photo(),
            body=f"<p>Đoạn.</p>{figures}",
        )


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Listings: the list's own object, the count, the page, its bylines and the navigation's sections. The home page:
# the newest stories, the lead's byline (no other card shows one), the section blocks and the sections. An
# article: itself (with
# the body, its photos, bylines, organisations and tags as save time drew them: articles/pages.py), related
# stories and the sections. Every photo and its renditions come with its article (featured photos), author or
# organisation (select_related: renditions are a column of the photo's row), or in the stored page.
BUDGETS = {"home": 4, "section": 5, "section page 2": 5, "tag": 5, "author": 5, "organization": 5, "article": 3}


def _pictures_expected(page, context):
    """How many <picture>s the page draws at least: one per card with its photo, and the article's own."""
    if page == "home":
        return 1 + len(context["secondary"]) + len(context["section_blocks"])
    if page == "article":
        return 1 + 3 + len(context["related"])  # featured, two body figures and a shared one, related cards
    return len(context["articles"])


@pytest.mark.parametrize("page", list(BUDGETS))
def test_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries, page):
    sections = [make_section() for _ in range(4)]
    _grow(16, sections)  # more than the home page's top twelve, so its section blocks have stories too

    def url():
        article = Article.objects.published().filter(section=sections[0]).first()
        return {
            "home": lambda: "/",
            "section": lambda: sections[0].get_absolute_url(),
            "section page 2": lambda: sections[0].get_absolute_url() + "?trang=2",
            "article": lambda: article.get_absolute_url(),
            "tag": lambda: article.tags.first().get_absolute_url(),
            "author": lambda: article.authors.first().get_absolute_url(),
            "organization": lambda: (
                Article.objects.published()
                .filter(organizations__isnull=False)
                .first()
                .organizations.first()
                .get_absolute_url()
            ),
        }[page]()

    def fetch():
        address = url()
        with django_assert_num_queries(BUDGETS[page]):
            response = client.get(address)
        assert response.status_code == 200
        pictures = response.content.decode().count("<picture>")
        assert pictures >= _pictures_expected(page, response.context) > 0
        return pictures

    if page == "section page 2":
        _grow(80, sections)  # a second page to begin with
    small = fetch()
    _grow(30, sections)
    large = fetch()
    assert large >= small


def test_pages_are_vietnamese_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assertContains(response, "Thứ")  # the masthead's weekday, e.g. "Thứ tư, 25/11/2026"


def test_english_is_available_by_choice(admin_client):
    response = admin_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    assertContains(admin_client.get("/admin/"), "Log out")
    home = admin_client.get("/")
    assert home["Content-Language"] == "vi"  # the paper itself stays in its language
    assertContains(home, "Thứ")
    admin_client.post("/i18n/setlang/", {"language": "vi", "next": "/admin/"})
    assertContains(admin_client.get("/admin/"), "Thoát")


def test_home_splits_the_newest_stories_into_lead_secondary_and_latest(client):
    stories = [make_article(publish_at=timezone.now() - dt.timedelta(minutes=m)) for m in range(1, 16)]
    response = client.get("/")
    assert response.context["lead"] == stories[0]  # no photos: simply the newest
    assert response.context["secondary"] == stories[1:4]
    assert response.context["latest"] == stories[4:12]


def test_author_portrait_and_organisation_logo_are_shown_with_alt_text(client):
    author = make_author(name="Phạm Hà", photo=make_photo())
    organization = make_organization(name="Sở Nội vụ", logo=make_photo())
    for url, photo, alt in [
        (author.get_absolute_url(), author.photo, "Ảnh chân dung Phạm Hà"),
        (organization.get_absolute_url(), organization.logo, "Biểu trưng Sở Nội vụ"),
    ]:
        square = photo.rendition("square", "jpeg")  # 48 × 48: the factory's 64 × 48 photo, cropped square
        assertContains(
            client.get(url),
            f'<picture><source type="image/webp" srcset="{photo.rendition("square", "webp").url} 48w" sizes="5.5rem">'
            f'<img src="{square.url}" srcset="{square.url} 48w" sizes="5.5rem" width="48" height="48" alt="{alt}" '
            'loading="lazy" decoding="async"></picture>',
            html=True,
        )


def test_story_headings_follow_the_page_outline(client):
    section, organization = make_section(name="Kinh tế"), make_organization(name="Cảng Hải Phòng")
    article = make_article(title="Cảng mở tuyến mới", section=section, organizations=[organization])
    link = f'<a href="{article.get_absolute_url()}">Cảng mở tuyến mới</a>'
    assertContains(client.get(section.get_absolute_url()), f'<h2 class="card__title">{link}</h2>', html=True)
    assertContains(client.get(organization.get_absolute_url()), f'<h3 class="card__title">{link}</h3>', html=True)


def test_list_cards_without_a_photo_take_the_full_width(client):
    section = make_section(name="Xã hội")
    make_article(title="Có ảnh", section=section, featured_photo=make_photo())
    make_article(title="Không ảnh", section=section)
    response = client.get(section.get_absolute_url())
    assertContains(response, 'class="card card--row card--with-photo"', count=1)
    assertContains(response, 'class="card card--row"', count=1)


# Listing pages: one address per page, and every page says which it is.


def _listing(kind, count):
    """A listing of `kind` with `count` live stories, newest first."""
    owner = {
        "section": lambda: make_section(name="Kinh tế"),
        "tag": lambda: make_tag(name="Chuyển đổi số"),
        "author": lambda: make_author(name="Phạm Hà"),
        "organization": lambda: make_organization(name="Sở Nội vụ"),
    }[kind]()
    link = {"section": {"section": owner}, "tag": {"tags": [owner]}, "author": {"authors": [owner]}}
    link = link.get(kind, {"organizations": [owner]})
    now = timezone.now()
    stories = [make_article(publish_at=now - dt.timedelta(hours=h), **link) for h in range(1, count + 1)]
    return owner, stories


LISTINGS = ["section", "tag", "author", "organization"]


@pytest.mark.parametrize("kind", LISTINGS)
def test_listing_pages_say_which_page_they_are_with_canonical_prev_and_next(client, kind):
    owner, stories = _listing(kind, 45)
    path = owner.get_absolute_url()
    base = absolute_url(path)  # the configured site address, not the request's host

    first, second, third = (client.get(path, {"trang": n} if n > 1 else {}) for n in (1, 2, 3))

    assert list(second.context["articles"]) == stories[20:40]
    assertContains(first, f"<title>{owner.name} — Newsroom Hải Phòng</title>", html=True)
    assertContains(second, f"<title>{owner.name} — Trang 2 — Newsroom Hải Phòng</title>", html=True)
    assertContains(second, f"<h1>{owner.name} — Trang 2</h1>", html=True)
    assertContains(first, f"<h1>{owner.name}</h1>", html=True)
    assertNotContains(first, "— Trang 1")
    # In <head>: the page's own address (page 1 without the parameter) and its neighbours'.
    assertContains(first, f'<link rel="canonical" href="{base}">', html=True)
    assertContains(first, f'<link rel="next" href="{base}?trang=2">', html=True)
    assertNotContains(first, 'rel="prev"')
    assertContains(second, f'<link rel="canonical" href="{base}?trang=2">', html=True)
    assertContains(second, f'<link rel="prev" href="{base}">', html=True)
    assertContains(second, f'<link rel="next" href="{base}?trang=3">', html=True)
    assertContains(third, f'<link rel="canonical" href="{base}?trang=3">', html=True)
    assertContains(third, f'<link rel="prev" href="{base}?trang=2">', html=True)
    assertNotContains(third, 'rel="next"')
    # On the pager: the same neighbours, page 1 again without the parameter.
    assertContains(second, f'<a href="{path}" rel="prev">← Trang trước</a>', html=True)
    assertContains(second, '<a href="?trang=3" rel="next">Trang sau →</a>', html=True)
    assertContains(third, '<a href="?trang=2" rel="prev">← Trang trước</a>', html=True)
    # Whatever else the address carries, the canonical one is the page's own.
    tracked = client.get(path, {"trang": 2, "utm_source": '"><script>alert(1)</script>'})
    assertContains(tracked, f'<link rel="canonical" href="{base}?trang=2">', html=True)
    assertNotContains(tracked, "<script>alert(1)")


def test_a_listing_of_one_page_has_a_canonical_link_and_no_neighbours(client):
    owner, _ = _listing("tag", 3)
    response = client.get(owner.get_absolute_url(), {"trang": 1})
    assertContains(response, f'<link rel="canonical" href="{absolute_url(owner.get_absolute_url())}">', html=True)
    assertNotContains(response, 'rel="prev"')
    assertNotContains(response, 'rel="next"')
    assertNotContains(response, 'class="pagination"')


def test_an_empty_listing_is_a_page_not_a_404(client):
    response = client.get(make_tag(name="Chưa dùng").get_absolute_url())
    assertContains(response, "Chưa có bài viết nào.")


@pytest.mark.parametrize(
    "number",
    [
        "0",
        "-1",
        "abc",
        "3",  # one past the last page
        "99999",
        "999999999",
        "1e9",
        "2.5",
        "1" * 30,
        "9" * 5000,  # longer than Python's int() reads from a string
        "%00",
        "last",
        "+2",
        "%202",
        "2%20",
        "1_0",
        "01",
        "%D9%A2",  # ٢, an Arabic-Indic two, which int() would take
        "",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
    ],
)
@pytest.mark.parametrize("kind", LISTINGS)
def test_a_page_number_that_is_not_a_page_is_the_designed_404(client, settings, kind, number):
    settings.DEBUG = False
    owner, _ = _listing(kind, 25)
    response = client.get(f"{owner.get_absolute_url()}?trang={number}")
    assertContains(response, "<h1>Không tìm thấy trang</h1>", html=True, status_code=404)
    assertNotContains(response, "<script>alert(1)", status_code=404)


# The 404 page: a reader who followed a dead link can go on.


def test_404_page_offers_the_sections_and_the_latest_live_stories(client, settings):
    settings.DEBUG = False
    kinh_te = make_section(name="Kinh tế", position=1)
    make_section(name="Văn hóa", position=2)
    now = timezone.now()
    stories = [make_article(section=kinh_te, publish_at=now - dt.timedelta(hours=h)) for h in range(1, 8)]
    make_article(title="Bài nháp chưa lên", live=False)
    make_article(title="Bài hẹn giờ", publish_at=now + dt.timedelta(hours=1))

    response = client.get("/bai-viet/khong-ton-tai/")

    assert response.status_code == 404
    assertContains(
        response,
        '<ul class="chips"><li><a href="/chuyen-muc/kinh-te/">Kinh tế</a></li>'
        '<li><a href="/chuyen-muc/van-hoa/">Văn hóa</a></li></ul>',
        html=True,
        status_code=404,
    )
    html = response.content.decode()
    links = [f'<a href="{article.get_absolute_url()}">{article.title}</a>' for article in stories]
    assert all(link in html for link in links[:5])
    assert [html.index(link) for link in links[:5]] == sorted(html.index(link) for link in links[:5])
    assert not any(link in html for link in links[5:])
    assertNotContains(response, "Bài nháp chưa lên", status_code=404)
    assertNotContains(response, "Bài hẹn giờ", status_code=404)


def test_404_page_without_sections_or_stories_still_renders(client, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")
    assertContains(response, "<h1>Không tìm thấy trang</h1>", html=True, status_code=404)
    assertNotContains(response, "Các chuyên mục", status_code=404)
    assertNotContains(response, "Tin mới", status_code=404)


def test_404_for_a_missing_and_a_non_live_article_are_the_same_bytes_in_a_fixed_number_of_queries(client, settings):
    settings.DEBUG = False
    sections = [make_section() for _ in range(3)]
    _grow(6, sections)
    hidden = make_article(title="Bài chưa xuất bản", live=False, section=sections[0])

    def fetch(path):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 404
        return response.content, len(queries)

    missing, missing_queries = fetch("/bai-viet/khong-ton-tai/")
    not_live, not_live_queries = fetch(f"/bai-viet/{hidden.slug}/")
    assert not_live.replace(hidden.slug.encode(), b"khong-ton-tai") == missing
    assert hidden.slug.encode() not in not_live
    # The article lookup, then the page's sections and latest stories, however much there is.
    assert missing_queries == not_live_queries == 3
    _grow(20, sections)
    assert fetch("/bai-viet/khong-ton-tai/")[1] == 3


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Quyết định số 520 QĐ-CT", 'Quyết định số <span class="nowrap">520 QĐ-CT</span>'),
        ("Nghị định 12/2020/NĐ-CP ngày 1/2", 'Nghị định <span class="nowrap">12/2020/NĐ-CP</span> ngày 1/2'),
        ("Số 15/QĐ-UBND và QĐ-CT", 'Số <span class="nowrap">15/QĐ-UBND</span> và <span class="nowrap">QĐ-CT</span>'),
        ("Tỉnh Bà Rịa-Vũng Tàu, trang gioi-thieu", "Tỉnh Bà Rịa-Vũng Tàu, trang gioi-thieu"),
        ('<b>520 QĐ-CT</b> & "x"', '&lt;b&gt;<span class="nowrap">520 QĐ-CT</span>&lt;/b&gt; &amp; &quot;x&quot;'),
        ("", ""),
    ],
)
def test_administrative_codes_are_kept_on_one_line_and_everything_is_escaped(text, html):
    from articles.views import keep_codes_together

    assert keep_codes_together(text) == html


def test_article_page_names_its_canonical_address(client):
    article = make_article(title="Cảng mở tuyến mới")
    response = client.get(article.get_absolute_url(), {"utm_source": "x"})
    assertContains(
        response, f'<link rel="canonical" href="{absolute_url(article.get_absolute_url())}">', count=1, html=True
    )
    assertNotContains(response, 'rel="next"')


def test_500_page_needs_nothing_but_the_stylesheet(settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")  # no request, no context: as Django renders it after a failure
    assert f'<link rel="stylesheet" href="{settings.STATIC_URL}css/site.css">' in html
    assert "style=" not in html  # the Content-Security-Policy refuses inline styles
    assert "<h1>Xin lỗi, đã có lỗi xảy ra</h1>" in html


def test_a_featured_photo_the_body_also_shows_is_drawn_once(client):
    photo, other = make_photo(caption="Tàu vào cảng"), make_photo(caption="Bến cảng")
    body = f'<p>Đoạn một.</p><figure><img src="{photo.get_absolute_url()}" alt=""></figure><p>Đoạn hai.</p>'
    article = make_article(body=body, featured_photo=photo)
    with_other = make_article(body=body, featured_photo=other)

    src, other_src = (f'src="{p.rendition("w", "jpeg").url}"' for p in (photo, other))
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count(src) == 1
    # In the body's place, after the first paragraph, not above it; still the page's lead image there.
    assert page.index("Đoạn một.") < page.index(src)
    assert page.count('fetchpriority="high"') == 1
    assert 'loading="lazy"' not in page

    page = client.get(with_other.get_absolute_url()).content.decode()
    assert page.count(src) == page.count(other_src) == 1
    assert page.index(other_src) < page.index('fetchpriority="high"') < page.index("Đoạn một.") < page.index(src)
    assert page.count('loading="lazy"') == 1  # the body's photo
