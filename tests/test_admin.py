import ast
import gettext
import json
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from articles.admin import ArticleAdmin
from articles.editing import version_token
from articles.models import Article, ArticleAuthor, Author, Organization, Section, Tag
from photos.models import Photo
from tests.factories import jpeg_bytes, make_article, make_author, make_photo, make_section

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:articles_article_changelist")
ADD_ARTICLE = reverse("admin:articles_article_add")


def badge(text, kind):
    return f'<span class="nr-badge nr-badge-{kind}">{text}</span>'


def local_parts(moment):
    moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")


def article_form_data(*, authors=(), publish_at=None, expire_at=None, **fields):
    """The POST the article add/change form sends, with its authors inline."""
    data = {
        "title": "Tiêu đề",
        "slug": "",
        "section": "",
        "lead": "",
        "body": "",
        "byline": "",
        "featured_photo": "",
        "status": Article.Status.DRAFT,
        "publish_at_0": "",
        "publish_at_1": "",
        "expire_at_0": "",
        "expire_at_1": "",
        "bylines-TOTAL_FORMS": str(len(authors)),
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "_save": "Lưu lại",
    }
    for name, moment in (("publish_at", publish_at), ("expire_at", expire_at)):
        if moment:
            data[f"{name}_0"], data[f"{name}_1"] = local_parts(moment)
    for index, author in enumerate(authors):
        data[f"bylines-{index}-author"] = str(author.pk)
        data[f"bylines-{index}-position"] = str(index)
    return data | fields


def change_form_data(article, **fields):
    """The change form of an existing article, as a browser posts it back (opened on the version stored now)."""
    return (
        article_form_data(
            title=article.title,
            slug=article.slug,
            lead=article.lead,
            body=article.body,
            status=article.status,
            publish_at=article.publish_at,
            expire_at=article.expire_at,
        )
        | ({"nr_version": version_token(Article.objects.get(pk=article.pk))} if article.pk else {})
        | fields
    )


def result_pks(response):
    return {article.pk for article in response.context["cl"].result_list}


# The article list ------------------------------------------------------------


def test_changelist_marks_visibility_and_lists_authors_in_byline_order(admin_client):
    first, second = make_author(name="Trần Văn Bình"), make_author(name="Nguyễn Thị An")
    make_article(title="Bài đang hiển thị", authors=[first, second])
    make_article(
        title="Bài hẹn giờ", status=Article.Status.PUBLISHED, publish_at=timezone.now() + timedelta(days=1), live=False
    )
    make_article(title="Bài nháp", live=False)

    response = admin_client.get(ARTICLES)

    assert response.status_code == 200
    assertContains(response, badge("Đang hiển thị", "live"), count=1, html=True)
    assertContains(response, badge("Hẹn giờ", "scheduled"), count=1, html=True)
    assertContains(response, badge("Nháp", "draft"), count=1, html=True)
    assertContains(response, '<td class="field-author_names">Trần Văn Bình, Nguyễn Thị An</td>', html=True)
    assertContains(response, "admin_newsroom/admin.css")


def test_changelist_marks_review_expired_and_archived(admin_client):
    now = timezone.now()
    make_article(status=Article.Status.REVIEW, live=False)
    make_article(publish_at=now - timedelta(days=2), expire_at=now - timedelta(days=1))
    make_article(status=Article.Status.ARCHIVED, publish_at=now - timedelta(days=3), live=False)

    response = admin_client.get(ARTICLES)

    assertContains(response, badge("Chờ duyệt", "review"), count=1, html=True)
    assertContains(response, badge("Đã hết hạn", "expired"), count=1, html=True)
    assertContains(response, badge("Đã gỡ", "archived"), count=1, html=True)


def test_changelist_shows_publish_time_in_vietnam_time(admin_client):
    make_article(publish_at=datetime(2024, 4, 4, 6, 33, tzinfo=UTC))

    assertContains(admin_client.get(ARTICLES), "04/04/2024 13:33")


def test_changelist_runs_the_same_queries_for_3_and_30_articles(admin_client):
    section = make_section()
    authors = [make_author() for _ in range(3)]

    def add_articles(count):
        for _ in range(count):
            make_article(section=section, authors=authors)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(ARTICLES).status_code == 200
        return len(queries)

    add_articles(3)
    admin_client.get(ARTICLES)  # Warm up anything cached per process.
    with_3 = count_queries()
    add_articles(27)
    with_30 = count_queries()

    assert with_30 == with_3


@pytest.fixture
def one_of_each():
    now = timezone.now()
    return {
        "live": make_article(),
        "live_until_tomorrow": make_article(expire_at=now + timedelta(days=1)),
        "scheduled": make_article(status=Article.Status.PUBLISHED, publish_at=now + timedelta(hours=2), live=False),
        "expired": make_article(publish_at=now - timedelta(days=2), expire_at=now - timedelta(minutes=1)),
        "draft": make_article(live=False),
        "review": make_article(status=Article.Status.REVIEW, live=False),
        "archived": make_article(status=Article.Status.ARCHIVED, publish_at=now - timedelta(days=5), live=False),
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("live", {"live", "live_until_tomorrow"}),
        ("scheduled", {"scheduled"}),
        ("expired", {"expired"}),
        ("unpublished", {"draft", "review", "archived"}),
    ],
)
def test_visibility_filter(admin_client, one_of_each, value, expected):
    response = admin_client.get(ARTICLES, {"hien_thi": value})

    assert response.status_code == 200
    assert result_pks(response) == {one_of_each[name].pk for name in expected}


def test_visibility_filter_is_titled_in_vietnamese(admin_client, one_of_each):
    response = admin_client.get(ARTICLES)

    assertContains(response, "Theo hiển thị")
    assertContains(response, "Theo trạng thái")
    assertContains(response, "?hien_thi=scheduled")
    assertNotContains(response, "Bởi ")


def test_search_finds_lead_text(admin_client):
    wanted = make_article(lead="Hội Khoa học phát triển nguồn nhân lực tổ chức hội thảo về cảng biển.")
    make_article(lead="Giá xăng giảm nhẹ.")

    response = admin_client.get(ARTICLES, {"q": "hội thảo về cảng"})

    assert result_pks(response) == {wanted.pk}


# The article form ------------------------------------------------------------


def test_add_form_has_the_prose_editor_and_vietnamese_labels(admin_client):
    response = admin_client.get(ADD_ARTICLE)

    assert response.status_code == 200
    body_field = response.context["adminform"].form["body"]
    assert "data-django-prose-editor-configurable" in str(body_field)
    assertContains(response, 'name="body"')
    assertContains(response, "data-django-prose-editor-configurable=")
    # The editor's modules, their import map and its stylesheet are on the page.
    assertContains(response, '<script type="importmap"')
    assertContains(response, "django_prose_editor/editor.js")
    assertContains(response, "django_prose_editor/configurable.js")
    assertContains(response, "django_prose_editor/editor.css")
    assertContains(response, '<textarea name="lead" cols="40" rows="3" class="vLargeTextField"', html=False)
    for label in ("Tiêu đề:", "Đường dẫn:", "Sapo:", "Nội dung:", "Chuyên mục:", "Trạng thái:", "Xuất bản lúc:"):
        assertContains(response, label)
    assertContains(response, "Xuất bản</h2>")
    assertContains(response, "Giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+7)")
    assertContains(response, 'name="bylines-TOTAL_FORMS"')
    assertContains(response, "Để trống để tạo tự động từ tiêu đề")
    assert not ArticleAdmin.prepopulated_fields  # The admin's slug JS drops "Đ"; the model makes slugs.


def test_adding_an_article_sanitises_slugifies_and_keeps_the_byline_order(admin_client, admin_user):
    first, second = make_author(name="Vũ Minh"), make_author(name="Đặng Thùy Dương")
    data = article_form_data(
        authors=[second, first],
        title="Đề án đào tạo nhân lực",
        lead="Thành phố phê duyệt đề án.",
        body='<p onclick="steal()">Nội dung <strong>chính</strong>.</p><script>alert(1)</script>',
    )

    response = admin_client.post(ADD_ARTICLE, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.slug == "de-an-dao-tao-nhan-luc"
    assert article.body == "<p>Nội dung <strong>chính</strong>.</p>"
    assert article.created_by == admin_user
    assert article.author_list == [second, first]
    assert article.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    "src", ["https://tracker.example/p.gif", "//evil.example/x.png", "data:image/gif;base64,R0lGOD", "/media/x.jpg"]
)
def test_a_body_image_from_outside_the_library_is_a_form_error_that_keeps_the_text(admin_client, src):
    body = (
        f'<p>Đoạn văn của phóng viên.</p><figure><img src="{src}" alt="x"><figcaption>Chú thích</figcaption></figure>'
    )

    response = admin_client.post(ADD_ARTICLE, article_form_data(title="Bài có ảnh lạ", body=body))

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["body"]
    assert message.startswith("Ảnh trong bài chỉ được lấy từ thư viện ảnh. Hãy xóa hoặc thay ảnh: ")
    assert src[:20] in message
    assert not Article.objects.exists()
    # Nothing the reporter wrote is lost: the form comes back with the body as sent.
    assert "Đoạn văn của phóng viên." in response.context["adminform"].form["body"].value()


def test_a_body_image_from_the_library_is_accepted(admin_client):
    photo = make_photo()
    body = f'<figure><img src="{photo.get_absolute_url()}" alt=""><figcaption>Ảnh</figcaption></figure>'

    response = admin_client.post(ADD_ARTICLE, article_form_data(title="Bài có ảnh thư viện", body=body))

    assert response.status_code == 302
    assert photo.get_absolute_url() in Article.objects.get().body


def test_publishing_without_a_time_publishes_now(admin_client):
    before = timezone.now()

    response = admin_client.post(ADD_ARTICLE, article_form_data(status=Article.Status.PUBLISHED))

    assert response.status_code == 302
    article = Article.objects.get()
    assert before <= article.publish_at <= timezone.now()
    assert article.is_live


def test_expiry_before_publication_is_refused(admin_client):
    now = timezone.now()
    data = article_form_data(status=Article.Status.PUBLISHED, publish_at=now, expire_at=now - timedelta(hours=1))

    response = admin_client.post(ADD_ARTICLE, data)

    assert response.status_code == 200
    assertContains(response, "Thời điểm gỡ bài phải sau thời điểm xuất bản.", count=1)
    assert response.context["adminform"].form.errors["expire_at"]
    assert not Article.objects.exists()


def test_a_slug_already_in_use_is_refused(admin_client):
    make_article(title="Cảng Lạch Huyện")

    response = admin_client.post(ADD_ARTICLE, article_form_data(title="Bài khác", slug="cang-lach-huyen"))

    assert response.status_code == 200
    assertContains(response, "Đường dẫn này đã được một bài viết khác dùng.")
    assert Article.objects.count() == 1


def test_the_slug_of_a_draft_can_be_edited(admin_client):
    article = make_article(title="Đề án", live=False)

    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]), change_form_data(article, slug="de-an-moi")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.slug == "de-an-moi"


def test_the_slug_of_a_published_article_is_read_only(admin_client):
    article = make_article(title="Cảng Lạch Huyện")

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assertNotContains(response, 'name="slug"')
    assertContains(response, '<div class="readonly">cang-lach-huyen</div>', html=True)
    assertContains(response, "Khi bài đã xuất bản, đường dẫn được giữ nguyên")


def test_changing_the_slug_of_a_published_article_is_refused_with_the_message(admin_client):
    article = make_article(title="Cảng Lạch Huyện")
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = admin_client.post(url, change_form_data(article, slug="cang-moi", title="Cảng Lạch Huyện mới"))

    assert response.status_code == 200
    assertContains(response, "Bài đã xuất bản giữ nguyên đường dẫn để liên kết cũ không hỏng.")
    article.refresh_from_db()
    assert (article.slug, article.title) == ("cang-lach-huyen", "Cảng Lạch Huyện")

    # Without a slug in the POST (the read-only form) the other edits are saved.
    data = change_form_data(article, title="Cảng Lạch Huyện mới")
    del data["slug"]
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert (article.slug, article.title) == ("cang-lach-huyen", "Cảng Lạch Huyện mới")


def test_admin_form_carries_the_models_slug_rule(rf, admin_user):
    # The form class the admin builds (with the slug field) reports the model's rule on the field itself.
    article = make_article(title="Cảng Lạch Huyện")
    request = rf.get("/")
    request.user = admin_user
    form_class = ArticleAdmin(Article, admin.site).get_form(request)

    form = form_class(change_form_data(article, slug="cang-moi"), instance=article)

    assert form.errors["slug"] == ["Bài đã xuất bản giữ nguyên đường dẫn để liên kết cũ không hỏng."]


def test_change_form_shows_creator_times_and_the_featured_photo(admin_client, admin_user):
    photo = make_photo(caption="Cầu <Hoàng Văn Thụ>", credit="Ảnh: Minh Anh")
    article = make_article(featured_photo=photo, live=False, created_by=admin_user)

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    # A rendition, never the master: the 64×48 photo's widest (it is never upscaled), shown 160 px wide.
    small = photo.rendition("w", "jpeg", 320)
    assert (small.width, small.name) == (64, f"{photo.image.name.rsplit('.', 1)[0]}/w-64.jpg")
    assertContains(response, f'<img src="{small.url}" width="160" height="120"', html=False)
    assertNotContains(response, f'src="{photo.image.url}"')
    assertContains(response, "Cầu &lt;Hoàng Văn Thụ&gt; — Ảnh: Minh Anh")
    user_url = reverse("admin:auth_user_change", args=[admin_user.pk])
    assertContains(response, f'<div class="readonly"><a href="{user_url}">{admin_user.username}</a></div>', html=True)
    assertContains(response, "Tạo lúc:")
    assertContains(response, "Sửa lúc:")


def test_a_draft_can_be_previewed_on_the_site(admin_client):
    article = make_article(live=False)
    content_type = ContentType.objects.get_for_model(Article)
    shortcut = reverse("admin:view_on_site", args=[content_type.pk, article.pk])

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assertContains(response, f'<a href="{shortcut}" class="viewsitelink">Xem trước</a>', html=True)
    assert admin_client.get(shortcut)["Location"].endswith(article.get_absolute_url())


def test_a_live_article_links_to_the_site(admin_client):
    article = make_article()

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assertContains(response, "Xem trên trang web</a>")


# Photos ----------------------------------------------------------------------


def test_photo_changelist_shows_thumbnails_and_missing_files(admin_client):
    photo = make_photo(caption="Cảng Lạch Huyện")
    make_photo(with_image=False, original_filename="cang-1712209912.jpg")

    response = admin_client.get(reverse("admin:photos_photo_changelist"))

    assert response.status_code == 200
    # The grid's tile is the photo's square crop (a rendition), never its master file.
    square = photo.rendition("square", "jpeg", 320)
    assertContains(response, f'src="{square.url}" width="160" height="160"')
    assertNotContains(response, f'src="{photo.image.url}"')
    assertContains(response, badge("Thiếu tệp ảnh", "missing"), count=1, html=True)
    assertContains(response, "cang-1712209912.jpg")
    assertContains(response, "64×48")


@pytest.mark.parametrize(("value", "expect_missing"), [("thieu", True), ("co", False)])
def test_photo_file_filter(admin_client, value, expect_missing):
    with_file, without_file = make_photo(), make_photo(with_image=False)

    response = admin_client.get(reverse("admin:photos_photo_changelist"), {"tep_anh": value})

    expected = without_file if expect_missing else with_file
    assert [photo.pk for photo in response.context["cl"].result_list] == [expected.pk]


def test_uploading_a_photo_fills_its_size_and_uploader(admin_client, admin_user):
    upload = SimpleUploadedFile("cang-lach-huyen.jpg", jpeg_bytes(size=(120, 90)), content_type="image/jpeg")

    response = admin_client.post(
        reverse("admin:photos_photo_add"),
        {"image": upload, "caption": "Cảng Lạch Huyện", "credit": "Ảnh: Minh Anh", "alt_text": "", "_save": "Lưu"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (120, 90)
    assert photo.uploaded_by == admin_user
    assert photo.original_filename == "cang-lach-huyen.jpg"


def test_a_photo_without_file_is_completed_by_uploading_one(admin_client):
    photo = make_photo(with_image=False, caption="Hội thảo", original_filename="hoi-thao-1712209912.jpg")
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    assertContains(admin_client.get(url), badge("Thiếu tệp ảnh", "missing"), html=True)
    upload = SimpleUploadedFile("hoi-thao-1712209912.jpg", jpeg_bytes(size=(40, 30)), content_type="image/jpeg")

    response = admin_client.post(url, {"image": upload, "caption": "Hội thảo", "credit": "", "alt_text": ""})

    assert response.status_code == 302
    photo.refresh_from_db()
    assert not photo.is_missing
    assert (photo.width, photo.height) == (40, 30)
    page = admin_client.get(url)
    # The change page shows the picture from its renditions (the focal point's picture and the crops).
    whole = photo.rendition("w", "jpeg", 640)
    assertContains(page, f'<img src="{whole.url}" width="40" height="30"', html=False)
    assertContains(page, f'src="{photo.rendition("square", "jpeg", 320).url}"')
    assertNotContains(page, badge("Thiếu tệp ảnh", "missing"), html=True)


def test_a_file_that_is_not_an_image_is_refused(admin_client):
    upload = SimpleUploadedFile("anh.jpg", b"not an image at all", content_type="image/jpeg")

    response = admin_client.post(reverse("admin:photos_photo_add"), {"image": upload, "caption": "x"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"]
    assert not Photo.objects.exists()


# The other models and the site -----------------------------------------------


def test_author_list_counts_articles_without_a_query_per_row(admin_client):
    url = reverse("admin:articles_author_changelist")
    prolific = make_author(name="Phóng viên Một")
    for _ in range(3):
        make_article(authors=[prolific])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        return len(queries), response

    admin_client.get(url)
    before, response = count_queries()
    assertContains(response, '<td class="field-article_count">3</td>', html=True)
    for _ in range(10):
        make_article(authors=[make_author()])
    after, _ = count_queries()
    assert after == before


def test_section_positions_are_editable_in_the_list(admin_client):
    section = make_section(name="Thời sự", position=5)

    response = admin_client.get(reverse("admin:articles_section_changelist"))

    assertContains(response, f'name="form-0-position" value="{section.position}"')


@pytest.mark.parametrize("model", [Article, Photo, Author, Organization, Section, Tag])
def test_every_changelist_and_add_page_renders(admin_client, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assertContains(changelist, f"<h1>Chọn {opts.verbose_name} để thay đổi</h1>", html=True)
    assertContains(add, f"<h1>Thêm {opts.verbose_name}</h1>", html=True)


@pytest.mark.parametrize("model", [Photo, Author, Organization, Section, Tag])
def test_every_autocomplete_source_answers(admin_client, model):
    # Articles pick these through autocomplete widgets, which need search_fields.
    field = {Photo: "featured_photo", Author: "author", Organization: "organizations", Section: "section"}
    source = "articleauthor" if model is Author else "article"
    make = {Photo: lambda: make_photo(caption="Đảo Cát Bà"), Tag: lambda: Tag.objects.create(name="Đảo Cát Bà")}
    wanted = make.get(model, lambda: model.objects.create(name="Đảo Cát Bà"))()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": source, "field_name": field.get(model, "tags"), "term": "Cát Bà"},
    )
    assert [result["id"] for result in response.json()["results"]] == [str(wanted.pk)]


def test_admin_index_is_in_vietnamese(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assertContains(response, '<html lang="vi"', html=False)
    assertContains(response, "Tòa soạn")
    assertContains(response, "Quản trị nội dung")
    assertContains(response, "Bài viết")
    assertContains(response, "Thoát")  # Django's Vietnamese "Log out".
    assertContains(response, "Đổi mật khẩu")


def test_admin_reads_dates_the_vietnamese_way(admin_client):
    """A reporter typing 04/05/2024 08:30 means 4 May, Vietnam time."""
    data = article_form_data(status=Article.Status.PUBLISHED, publish_at_0="04/05/2024", publish_at_1="08:30")

    response = admin_client.post(ADD_ARTICLE, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get().publish_at == datetime(2024, 5, 4, 1, 30, tzinfo=UTC)
    change = admin_client.get(reverse("admin:articles_article_change", args=[Article.objects.get().pk]))
    assertContains(change, 'value="04/05/2024"')


def test_our_corrections_to_djangos_vietnamese_wording(admin_client):
    assertContains(admin_client.get(ADD_ARTICLE), "<title>Thêm bài viết |")
    index = admin_client.get(reverse("admin:index"))
    assertContains(index, 'title="Các mục trong Tòa soạn"')
    assertContains(index, "Chuyển tới nội dung chính")
    assertNotContains(index, "Các mô models")


# English by choice -------------------------------------------------------------

# Our own labels on the article list and form, as (English, Vietnamese).
ARTICLE_LIST_WORDING = [
    (badge("Live", "live"), badge("Đang hiển thị", "live")),
    (badge("Scheduled", "scheduled"), badge("Hẹn giờ", "scheduled")),
    (badge("Draft", "draft"), badge("Nháp", "draft")),
    ("<span>Visibility</span>", "<span>Hiển thị</span>"),
    ("<span>Authors</span>", "<span>Tác giả</span>"),
    ("By visibility", "Theo hiển thị"),
    ("Not published (draft, in review, taken down)", "Không xuất bản (nháp, chờ duyệt, đã gỡ)"),
    ('<a href="?status__exact=review">In review</a>', '<a href="?status__exact=review">Chờ duyệt</a>'),
    ("— Editorial desk</a>", "— Tòa soạn</a>"),
]
ARTICLE_FORM_WORDING = [
    ("Title:", "Tiêu đề:"),
    ("Slug:", "Đường dẫn:"),
    ("Lead:", "Sapo:"),
    ("Publish at:", "Xuất bản lúc:"),
    ("Take down at:", "Gỡ lúc:"),
    ("Publishing</h2>", "Xuất bản</h2>"),
    ("Organizations and tags</h2>", "Tổ chức và từ khóa</h2>"),
    ("Authors (in byline order)", "Tác giả (theo thứ tự trên dòng tác giả)"),
    ('<option value="review">In review</option>', '<option value="review">Chờ duyệt</option>'),
    ("Vietnam time (Asia/Ho_Chi_Minh, UTC+7).", "Giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+7)."),
    ("Leave empty to make it from the title automatically", "Để trống để tạo tự động từ tiêu đề"),
]


@pytest.fixture
def default_language_afterwards():
    """The language middleware leaves the last request's language active in this thread: reset it."""
    yield
    translation.deactivate()


def test_an_editor_can_switch_the_admin_to_english_and_back(admin_client, default_language_afterwards):
    make_article()
    make_article(status=Article.Status.PUBLISHED, publish_at=timezone.now() + timedelta(days=1), live=False)
    draft = make_article(live=False)
    pages = {
        ARTICLES: ARTICLE_LIST_WORDING,
        ADD_ARTICLE: ARTICLE_FORM_WORDING,
        reverse("admin:articles_article_change", args=[draft.pk]): [("Preview</a>", "Xem trước</a>")],
    }

    for language, chosen in (("en", 0), ("vi", 1)):
        assert admin_client.post("/i18n/setlang/", {"language": language, "next": ARTICLES}).status_code == 302
        for url, wording in pages.items():
            response = admin_client.get(url)
            assert response["Content-Language"] == language
            for pair in wording:
                assertContains(response, pair[chosen])
                assertNotContains(response, pair[1 - chosen])


LOCALE_VI = settings.BASE_DIR / "locale" / "vi" / "LC_MESSAGES"


def po_entries(path):
    """The entries of a .po file as dicts of their keywords (msgctxt, msgid, msgstr…), plus flags and obsolete."""
    entries, entry, keyword = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, keyword = {}, None
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[keyword] += ast.literal_eval(line)  # PO strings use C escapes, which Python reads alike.
        else:
            keyword, _, value = line.partition(" ")
            entry[keyword] = ast.literal_eval(value)
    return [entry for entry in entries if entry.get("msgid") or entry.get("obsolete")]  # not the header


def test_every_vietnamese_message_is_translated_and_compiled():
    entries = po_entries(LOCALE_VI / "django.po")
    assert len(entries) > 100
    assert not [entry for entry in entries if entry.get("obsolete")], "makemessages commented entries out (#~)"
    assert not [entry["msgid"] for entry in entries if "fuzzy" in entry.get("flags", ())]
    # Vietnamese has one plural form (the header's nplurals=1): a plural entry has msgstr[0] only.
    plurals = [entry for entry in entries if "msgid_plural" in entry]
    assert all(set(entry) & {"msgstr", "msgstr[1]"} == set() for entry in plurals)
    for entry in plurals:
        entry["msgstr"] = entry["msgstr[0]"]
    assert not [entry["msgid"] for entry in entries if not entry["msgstr"]]

    # The .mo holds exactly the .po's messages (GNUTranslations._catalog is what Django merges too)…
    def key(entry):
        msgid = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        return (msgid, 0) if "msgid_plural" in entry else msgid

    expected = {key(entry): entry["msgstr"] for entry in entries}
    with open(LOCALE_VI / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    assert {key: value for key, value in catalog.items() if key} == expected, "rebuild the .mo with msgfmt"
    # …and Django serves them, ahead of its own Vietnamese catalogue.
    with translation.override("vi"):
        for entry in entries:
            if "msgid_plural" in entry:
                for count in (1, 2, 5):
                    assert translation.ngettext(entry["msgid"], entry["msgid_plural"], count) == entry["msgstr"]
            elif "msgctxt" in entry:
                assert translation.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
            else:
                assert translation.gettext(entry["msgid"]) == entry["msgstr"]


def test_the_admin_header_offers_the_language_switch(admin_client):
    response = admin_client.get(reverse("admin:index"))
    # Django's language names are stored decomposed (NFD); compare the composed text.
    page = unicodedata.normalize("NFC", response.content.decode())
    assertContains(response, '<form class="nr-language" action="/i18n/setlang/" method="post">')
    assert '<option value="vi" lang="vi" selected>Tiếng Việt</option>' in page
    assertContains(response, '<option value="en" lang="en">English</option>', html=True)
    assertContains(response, '<label for="nr-language" class="visually-hidden">Ngôn ngữ</label>', html=True)


# Date filters: hostile numbers are an invalid lookup, never a 500 -------------------

BIG = "9" * 20
# (query, on the article list's publish_at / the photo list's uploaded_at): each was a 500 or could be.
HOSTILE_DATES = [
    "{f}__year=9999",  # the year's range would end in year 10000
    f"{{f}}__year={BIG}",  # OverflowError in datetime()
    "{f}__year=1",  # the start, in Vietnam time, is before year 1 in UTC
    "{f}__year=9999&{f}__month=12",
    "{f}__year=9999&{f}__month=12&{f}__day=31",
    f"{{f}}__year=2024&{{f}}__month={BIG}",
    f"{{f}}__year=2024&{{f}}__month=1&{{f}}__day={BIG}",
    "{f}__year=2024&{f}__year=9999",  # Django reads the last value
    f"{{f}}__year__gte={BIG}",  # the database driver overflows
    f"{{f}}__year__in=2024,{BIG}",
    f"{{f}}__month={BIG}",
    f"{{f}}__week={BIG}",
    "{f}__year=2024&{f}__month=13",
    "{f}__year=2024&{f}__month=2&{f}__day=30",
    "{f}__year=abc",
    "{f}__year=",
    "{f}__year=%00",
    "{f}__year=1e3",
    "{f}__year=-2024",
    "{f}__year=²",  # a digit to str.isdigit(), not to int()
]
DATE_LISTS = [("admin:articles_article_changelist", "publish_at"), ("admin:photos_photo_changelist", "uploaded_at")]


@pytest.mark.parametrize(("url_name", "field"), DATE_LISTS)
def test_a_hostile_date_filter_is_an_invalid_lookup(admin_client, url_name, field):
    make_article()
    make_photo()
    url = reverse(url_name)

    for query in HOSTILE_DATES:
        query = query.format(f=field)
        response = admin_client.get(f"{url}?{query}")
        assert (response.status_code, response.get("Location")) == (302, f"{url}?e=1"), query
        # Asked again with the error flag, as a browser that followed the redirect by hand: a page, not a 500.
        assert admin_client.get(f"{url}?{query}&e=1").status_code == 200, query


@pytest.mark.parametrize(("url_name", "field"), DATE_LISTS)
def test_the_date_hierarchy_still_filters_by_year_month_and_day(admin_client, url_name, field):
    moment = datetime(2024, 5, 4, 1, 30, tzinfo=UTC)  # 08:30 on 4 May in Vietnam
    article, photo = make_article(publish_at=moment), make_photo()
    Photo.objects.filter(pk=photo.pk).update(uploaded_at=moment)
    make_article(publish_at=moment - timedelta(days=400))
    make_photo()
    wanted = article.pk if field == "publish_at" else photo.pk
    url = reverse(url_name)

    for query in ("{f}__year=2024", "{f}__year=2024&{f}__month=5", "{f}__year=2024&{f}__month=5&{f}__day=4"):
        response = admin_client.get(f"{url}?{query.format(f=field)}")
        assert [row.pk for row in response.context["cl"].result_list] == [wanted], query
    for query in ("{f}__year=9998", "{f}__year=2", "{f}__year=2024&{f}__month=5&{f}__day=5", "{f}__month=5"):
        response = admin_client.get(f"{url}?{query.format(f=field)}")
        assert response.status_code == 200, query
    assert admin_client.get(f"{url}?{field}__year=9998").context["cl"].result_count == 0


# The byline order: positions 1, 2, 3 in the order the editor sees ---------------------


def byline_rows(article, rows):
    """The change form's author rows: (existing ArticleAuthor or an Author for a new row, position, delete)."""
    data = {"bylines-TOTAL_FORMS": str(len(rows)), "bylines-INITIAL_FORMS": "0"}
    initial = 0
    for index, (row, position, delete) in enumerate(rows):
        prefix = f"bylines-{index}-"
        if isinstance(row, ArticleAuthor):
            initial += 1
            data |= {
                f"{prefix}id": str(row.pk),
                f"{prefix}article": str(article.pk),
                f"{prefix}author": str(row.author_id),
            }
        else:
            data[f"{prefix}author"] = str(row.pk)
        data[f"{prefix}position"] = position
        if delete:
            data[f"{prefix}DELETE"] = "on"
    data["bylines-INITIAL_FORMS"] = str(initial)
    return data


def positions(article):
    return [(byline.author.name, byline.position) for byline in article.bylines.select_related("author")]


def test_new_bylines_are_numbered_1_2_3_in_row_order(admin_client):
    first, second, third = make_author(name="An"), make_author(name="Bình"), make_author(name="Chi")
    data = article_form_data(authors=[first, second, third])
    # Positions as the form's script posts them, or left empty (no script): the rows' order either way.
    for typed in (["1", "2", "3"], ["", "", ""], ["0", "0", "0"]):
        Article.objects.all().delete()
        for index, value in enumerate(typed):
            data[f"bylines-{index}-position"] = value

        response = admin_client.post(ADD_ARTICLE, data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        assert positions(Article.objects.get()) == [("An", 1), ("Bình", 2), ("Chi", 3)], typed


def test_typed_positions_order_the_byline_and_empty_ones_go_last(admin_client):
    first, second, third = make_author(name="An"), make_author(name="Bình"), make_author(name="Chi")
    data = article_form_data(authors=[first, second, third])
    data |= {"bylines-0-position": "", "bylines-1-position": "7", "bylines-2-position": "2"}

    assert admin_client.post(ADD_ARTICLE, data).status_code == 302

    assert positions(Article.objects.get()) == [("Chi", 1), ("Bình", 2), ("An", 3)]


def test_reordering_removing_and_adding_authors_renumbers_every_row(admin_client):
    an, binh, chi, dung = (make_author(name=name) for name in ("An", "Bình", "Chi", "Dũng"))
    article = make_article(authors=[an, binh, chi], live=False)  # stored as 0, 1, 2
    rows = list(article.bylines.all())
    url = reverse("admin:articles_article_change", args=[article.pk])

    # Chi moved to the front, Bình removed, Dũng added at the end. Neither An's nor Chi's row
    # changed a field Django would notice if the script had posted their old numbers.
    data = change_form_data(article) | byline_rows(
        article, [(rows[2], "1", False), (rows[0], "2", False), (rows[1], "3", True), (dung, "", False)]
    )
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert positions(article) == [("Chi", 1), ("An", 2), ("Dũng", 3)]

    # Saved again untouched: stored positions that were not 1, 2, 3 are renumbered too.
    ArticleAuthor.objects.filter(article=article).update(position=0)
    rows = list(article.bylines.order_by("pk"))
    data = change_form_data(article) | byline_rows(article, [(row, "0", False) for row in rows])
    assert admin_client.post(url, data).status_code == 302
    assert [position for _, position in positions(article)] == [1, 2, 3]


@pytest.mark.parametrize("position", ["-1", "abc", "99999999999999999999", "1.5", "<script>alert(1)</script>"])
def test_a_hostile_position_is_a_form_error(admin_client, position):
    data = article_form_data(authors=[make_author()]) | {"bylines-0-position": position}

    response = admin_client.post(ADD_ARTICLE, data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["position"]
    assert not Article.objects.exists()


def test_the_byline_rows_are_labelled_and_a_new_row_has_no_number(admin_client):
    article = make_article(authors=[make_author()], live=False)

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    byline = article.bylines.get()
    assertContains(
        response,
        f'<input type="number" name="bylines-0-position" value="{byline.position}" min="0" '
        'aria-label="Vị trí trên dòng tác giả" id="id_bylines-0-position">',
        html=True,
    )
    # The extra row is empty: it goes last, where 0 used to put it first.
    assertContains(
        response,
        '<input type="number" name="bylines-1-position" min="0" aria-label="Vị trí trên dòng tác giả" '
        'id="id_bylines-1-position">',
        html=True,
    )
    assertContains(
        response,
        '<input type="checkbox" name="bylines-0-DELETE" aria-label="Bỏ tác giả này khỏi dòng tác giả" '
        'id="id_bylines-0-DELETE">',
        html=True,
    )
    assertContains(
        response, '<select name="bylines-0-author" aria-label="tác giả" id="id_bylines-0-author"', html=False
    )
    assertContains(response, "admin_newsroom/article_form.js")


# Labels, the editor's settings and the admin's scripts -------------------------------


def test_date_and_time_inputs_are_labelled_with_their_field(admin_client):
    response = admin_client.get(ADD_ARTICLE)

    for name, label in (("publish_at", "Xuất bản lúc"), ("expire_at", "Gỡ lúc")):
        assertContains(response, f'aria-label="{label}, ngày" id="id_{name}_0"', html=False)
        assertContains(response, f'aria-label="{label}, giờ" id="id_{name}_1"', html=False)


def test_the_editor_leaves_spelling_to_the_browser(admin_client):
    response = admin_client.get(ADD_ARTICLE)

    widget = response.context["adminform"].form["body"]
    config = json.loads(widget.field.widget.get_context("body", "", {})["widget"]["attrs"][
        "data-django-prose-editor-configurable"
    ])  # fmt: skip
    assert "NoSpellCheck" not in config["extensions"]
    assert {"Bold", "Link", "Table", "Menu"} <= set(config["extensions"])
    # The model field's own configuration (shared by every form) is left alone.
    assert "NoSpellCheck" not in Article._meta.get_field("body").config["extensions"]


def test_many_to_many_pickers_have_no_clear_all_button(admin_client):
    response = admin_client.get(ADD_ARTICLE)

    for name in ("organizations", "tags"):
        assertContains(response, f'<select name="{name}" id="id_{name}" class="admin-autocomplete"', html=False)
    page = response.content.decode()
    for name in ("organizations", "tags"):
        tag = page[page.index(f'<select name="{name}"') :].split(">", 1)[0]
        assert 'data-allow-clear="false"' in tag
    section = page[page.index('<select name="section"') :].split(">", 1)[0]
    assert 'data-allow-clear="true"' in section  # a single choice keeps its ×, outside any list


def test_djangos_untranslated_admin_strings_are_vietnamese(admin_client):
    article = make_article(section=make_section(), live=False)

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assertContains(response, 'title="Xem chuyên mục đã chọn"')
    assertContains(response, '<nav aria-label="Vị trí trang">', html=False)
    assertNotContains(response, "View selected")
    assertNotContains(response, "Breadcrumbs")


def test_the_admin_scripts_and_icon_are_static_files(admin_client):
    response = admin_client.get(ADD_ARTICLE)

    assertContains(response, '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">', html=True)
    assertContains(response, '<script src="/static/admin_newsroom/admin.js" defer></script>', html=True)
    # No inline event handlers: the Content-Security-Policy allows no inline script.
    assert " onchange=" not in response.content.decode()
    assert " onclick=" not in response.content.decode()


def test_the_javascript_catalogue_translates_the_editor(admin_client, default_language_afterwards):
    catalogue = admin_client.get(reverse("admin:jsi18n")).content.decode()

    # The catalogue is JSON with non-ASCII letters escaped.
    for vietnamese in ("Chữ đậm", "Chèn liên kết", "Sửa liên kết", "Cập nhật", "Tiêu đề cấp %(level)s", "Đưa lên"):
        assert json.dumps(vietnamese) in catalogue
    admin_client.post("/i18n/setlang/", {"language": "en", "next": ARTICLES})
    assert json.dumps("Chữ đậm") not in admin_client.get(reverse("admin:jsi18n")).content.decode()


def test_every_javascript_message_is_translated_and_compiled():
    entries = po_entries(LOCALE_VI / "djangojs.po")
    assert len(entries) > 50
    assert not [entry["msgid"] for entry in entries if not entry["msgstr"] or "fuzzy" in entry.get("flags", ())]
    with open(LOCALE_VI / "djangojs.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    assert {key: value for key, value in catalog.items() if key} == {e["msgid"]: e["msgstr"] for e in entries}
    # "URL" is on the English list the browser test looks for, so no translation may keep it.
    assert not [entry["msgstr"] for entry in entries if "URL" in entry["msgstr"]]


# Roles in the admin (articles/services.py decides; these are crafted requests that must change nothing) ----


def staff_user(username, group):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(client):
    user = staff_user("phongvien", "Phóng viên")
    client.force_login(user)
    return user


@pytest.fixture
def editor_client(client):
    client.force_login(staff_user("bientap", "Biên tập viên"))
    return client


def reporter_form_data(article, **fields):
    data = change_form_data(article, **fields)
    for key in ("status", "publish_at_0", "publish_at_1", "expire_at_0", "expire_at_1"):
        data.pop(key)
    return data


def snapshot(article):
    return Article.objects.values("title", "status", "publish_at", "expire_at", "updated_at").get(pk=article.pk)


def test_a_reporters_list_shows_only_their_own_stories(client, reporter):
    mine = make_article(title="Bài của tôi", created_by=reporter, status=Article.Status.DRAFT, live=False)
    colleague = staff_user("phongvien2", "Phóng viên")
    make_article(title="Bài của đồng nghiệp", created_by=colleague, status=Article.Status.DRAFT, live=False)
    bylined = make_article(title="Bài tôi đứng tên", live=False, status=Article.Status.REVIEW)
    bylined.bylines.create(author=make_author(name="Phạm Thu Hà", user=reporter))
    response = client.get(ARTICLES)
    assert [a.pk for a in response.context["cl"].result_list] == sorted([mine.pk, bylined.pk], reverse=True)
    assertNotContains(response, "Bài của đồng nghiệp")
    assertNotContains(response, 'name="action"')  # no bulk actions for a reporter


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_someone_elses_story_is_a_404_for_a_reporter(client, reporter, page):
    other = make_article(created_by=staff_user("phongvien2", "Phóng viên"), status=Article.Status.DRAFT, live=False)
    url = reverse(f"admin:articles_article_{page}", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, reporter_form_data(other, title="Chiếm bài") | {"post": "yes"}).status_code == 404
    assert Article.objects.filter(pk=other.pk).exists()
    assert Article.objects.get(pk=other.pk).title != "Chiếm bài"


def test_a_reporters_form_has_no_publishing_fields_and_a_submit_button(client, reporter):
    article = make_article(created_by=reporter, status=Article.Status.DRAFT, live=False)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    form = response.context["adminform"].form
    assert not {"status", "publish_at", "expire_at", "workflow_note"} & set(form.fields)
    assertNotContains(response, 'name="status"')
    assertContains(response, '<input type="submit" name="_nr_submit" value="Gửi duyệt">', html=True)
    assertNotContains(response, 'id="nr-workflow"')  # no editor buttons
    # Where the story stands, read-only.
    assertContains(response, '<span class="nr-badge nr-badge-draft">Nháp</span>', html=True)
    assertContains(response, "Chỉ biên tập viên mới xuất bản hoặc hẹn giờ đăng bài")


def test_a_reporter_sees_that_their_story_is_in_review(client, reporter):
    article = make_article(created_by=reporter, status=Article.Status.REVIEW, live=False)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertContains(response, '<span class="nr-badge nr-badge-review">Chờ duyệt</span>', html=True)
    assertNotContains(response, "None")


def test_a_reporter_saves_and_submits_their_draft(client, reporter):
    article = make_article(created_by=reporter, status=Article.Status.DRAFT, live=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(url, reporter_form_data(article, title="Tiêu đề đã sửa", _nr_submit="Gửi duyệt"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert (article.title, article.status) == ("Tiêu đề đã sửa", Article.Status.REVIEW)
    event = article.events.get()
    assert (event.kind, event.actor, event.from_status, event.to_status) == ("submit", reporter, "draft", "review")


def test_a_reporter_creates_a_draft_they_own(client, reporter):
    data = reporter_form_data(Article(title="Bài mới"))
    assert client.post(ADD_ARTICLE, data).status_code == 302
    article = Article.objects.get()
    assert (article.status, article.created_by, article.publish_at) == (Article.Status.DRAFT, reporter, None)


@pytest.mark.parametrize(
    "crafted",
    [
        {"status": "published"},
        {"publish_at_0": "01/01/2024", "publish_at_1": "08:00"},
        {"expire_at_0": "01/01/2030", "expire_at_1": "08:00"},
    ],
)
def test_a_reporters_crafted_publishing_field_is_a_form_error_and_changes_nothing(client, reporter, crafted):
    article = make_article(created_by=reporter, status=Article.Status.DRAFT, live=False)
    before = snapshot(article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(url, reporter_form_data(article, title="Đổi tiêu đề") | crafted)
    assert response.status_code == 200
    assert "Chỉ biên tập viên mới được đổi trạng thái" in str(response.context["adminform"].form.non_field_errors())
    assert snapshot(article) == before
    # …and on the add form too.
    response = client.post(ADD_ARTICLE, reporter_form_data(Article(title="Bài mới lén")) | crafted)
    assert response.status_code == 200
    assert not Article.objects.filter(title="Bài mới lén").exists()


@pytest.mark.parametrize("state", ["live", "scheduled", "archived"])
def test_a_reporters_own_published_story_is_read_only_and_undeletable(client, reporter, state):
    now = timezone.now()
    status, publish_at = {
        "live": (Article.Status.PUBLISHED, now - timedelta(hours=1)),
        "scheduled": (Article.Status.PUBLISHED, now + timedelta(hours=1)),
        "archived": (Article.Status.ARCHIVED, now - timedelta(days=1)),
    }[state]
    article = make_article(created_by=reporter, status=status, publish_at=publish_at)
    before = snapshot(article)
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.post(change, reporter_form_data(article, title="Sửa bài đã đăng")).status_code == 403
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert snapshot(article) == before


@pytest.mark.parametrize("action", ["delete_selected", "publish_selected", "archive_selected"])
def test_a_reporters_crafted_bulk_action_is_a_403_and_changes_nothing(client, reporter, action):
    article = make_article(created_by=reporter, status=Article.Status.REVIEW, live=False)
    before = snapshot(article)
    data = {"action": action, "_selected_action": [article.pk], "index": "0", "post": "yes"}
    assert client.post(ARTICLES, data).status_code == 403
    assert snapshot(article) == before
    assert not article.events.exists()


@pytest.mark.parametrize("kind", ["publish", "schedule", "archive", "restore", "return", "unschedule"])
def test_a_reporters_crafted_button_post_is_a_403_and_changes_nothing(client, reporter, kind):
    article = make_article(created_by=reporter, status=Article.Status.REVIEW, live=False)
    before = snapshot(article)
    url = reverse("admin:articles_article_workflow", args=[article.pk, kind])
    response = client.post(url, {"publish_at": "2030-01-01T08:00", "note": "x"})
    assert response.status_code == 403
    assert snapshot(article) == before


def test_a_button_url_answers_get_with_405_and_an_unknown_kind_with_404(editor_client):
    article = make_article(status=Article.Status.REVIEW, live=False)
    assert (
        editor_client.get(reverse("admin:articles_article_workflow", args=[article.pk, "publish"])).status_code == 405
    )
    assert editor_client.post(f"/admin/articles/article/{article.pk}/workflow/xoa/").status_code == 404
    assert snapshot(article)["status"] == Article.Status.REVIEW


def test_an_editors_buttons_call_the_services_and_the_page_lists_the_events(editor_client):
    article = make_article(status=Article.Status.REVIEW, live=False)
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.get(change)
    for label in ("Xuất bản ngay", "Hẹn giờ", "Trả lại phóng viên"):
        assertContains(response, f">{label}</button>")
    assertNotContains(response, ">Gỡ bài</button>")
    url = reverse("admin:articles_article_workflow", args=[article.pk, "_"]).removesuffix("_/")
    response = editor_client.post(url + "return/", {"note": ""})
    assert response.status_code == 302 and snapshot(article)["status"] == Article.Status.REVIEW
    assert editor_client.post(url + "return/", {"note": "Thiếu nguồn <script>"}).status_code == 302
    assert snapshot(article)["status"] == Article.Status.DRAFT
    assert editor_client.post(url + "schedule/", {"publish_at": "9999999-99-99T99:99"}).status_code == 302
    assert snapshot(article)["status"] == Article.Status.DRAFT
    assert editor_client.post(url + "schedule/", {"publish_at": "2999-01-02T07:30"}).status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled and article.publish_at == datetime(2999, 1, 2, 0, 30, tzinfo=UTC)
    response = editor_client.get(change)
    assertContains(response, "<td>Chờ duyệt → Bản nháp</td>", html=True)
    assertContains(response, "<td>Thiếu nguồn &lt;script&gt;</td>", html=True)
    assertContains(response, "<td>Hẹn giờ (02/01/2999 07:30)</td>", html=True)
    assertContains(response, "<td>bientap</td>", html=True, count=2)


def test_an_editors_status_field_goes_through_the_services(editor_client):
    article = make_article(status=Article.Status.REVIEW, live=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert editor_client.post(url, change_form_data(article, status="published")).status_code == 302
    article.refresh_from_db()
    assert article.is_live and article.events.get().kind == "publish"


@pytest.mark.parametrize("status", ["review", "draft"])
def test_an_editor_cannot_send_a_live_story_back_by_the_status_field(editor_client, status):
    article = make_article()
    before = snapshot(article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(url, change_form_data(article, status=status))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert snapshot(article) == before


def test_an_editors_return_by_the_status_field_needs_a_note(editor_client):
    article = make_article(status=Article.Status.REVIEW, live=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(url, change_form_data(article, status="draft"))
    assert "workflow_note" in response.context["adminform"].form.errors
    assert (
        editor_client.post(url, change_form_data(article, status="draft", workflow_note="Viết lại sapo.")).status_code
        == 302
    )
    assert article.events.get().note == "Viết lại sapo."


def test_an_editors_save_of_a_live_story_keeps_it_live(editor_client):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert editor_client.post(url, change_form_data(article, title="Sửa lỗi chính tả")).status_code == 302
    assert Article.objects.published().get().title == "Sửa lỗi chính tả"
    assert not article.events.exists()


def test_an_editors_bulk_action_runs_each_article_through_its_service(editor_client):
    review = make_article(status=Article.Status.REVIEW, live=False)
    live = make_article()
    data = {"action": "publish_selected", "_selected_action": [review.pk, live.pk], "index": "0"}
    response = editor_client.post(ARTICLES, data, follow=True)
    assert response.status_code == 200
    assertContains(response, "Đã xử lý 1 bài viết.")
    assertContains(response, f"Không thực hiện được với: {live.title}")
    assert set(Article.objects.published()) == {review, live}
    assert [e.kind for e in review.events.all()] == ["publish"] and not live.events.exists()


def test_a_reporters_changelist_runs_the_same_queries_for_3_and_30_stories(client, reporter):
    section, authors = make_section(), [make_author() for _ in range(3)]
    own = make_author(name="Phạm Thu Hà", user=reporter)

    def add_articles(count):
        for n in range(count):
            make_article(section=section, authors=[*authors, own] if n % 2 else authors, created_by=reporter)
            make_article(section=section, authors=authors)  # someone else's

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ARTICLES)
        assert response.status_code == 200
        return len(queries), response.context["cl"].result_count

    add_articles(3)
    client.get(ARTICLES)
    with_3 = count_queries()
    add_articles(27)
    with_30 = count_queries()
    assert (with_3[1], with_30[1]) == (3, 30)
    assert with_30[0] == with_3[0]


def test_a_reporter_deletes_their_own_draft(client, reporter):
    article = make_article(created_by=reporter, status=Article.Status.DRAFT, live=False)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_a_reporters_crafted_byline_row_of_another_article_changes_nothing(client, reporter):
    mine = make_article(created_by=reporter, status=Article.Status.DRAFT, live=False)
    author = make_author(name="Người khác")
    other = make_article(authors=[author])
    row = other.bylines.get()
    data = reporter_form_data(mine) | {
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "1",
        "bylines-0-id": str(row.pk),
        "bylines-0-article": str(mine.pk),
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "1",
        "bylines-0-DELETE": "on",
    }
    # Django's formset looks rows up among this article's only: the other's row is neither deleted nor moved.
    client.post(reverse("admin:articles_article_change", args=[mine.pk]), data)
    assert list(other.bylines.values_list("pk", "author")) == [(row.pk, author.pk)]
    assert not mine.bylines.exists()


@pytest.mark.parametrize(
    "posted",
    [
        {"note": "x" * 2001},
        {"note": "<script>alert(1)</script>", "publish_at": "javascript:alert(1)"},
        {"publish_at": "2030-02-30T08:00"},
        {"publish_at": "1" * 5000},
    ],
)
def test_hostile_button_input_is_a_message_and_changes_nothing(editor_client, posted):
    article = make_article(status=Article.Status.REVIEW, live=False)
    before = snapshot(article)
    base = reverse("admin:articles_article_workflow", args=[article.pk, "_"]).removesuffix("_/")
    for kind in ("return", "schedule"):
        response = editor_client.post(f"{base}{kind}/", posted, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert snapshot(article) == before and not article.events.exists()


def test_a_button_on_someone_elses_story_is_a_404_for_a_reporter(client, reporter):
    other = make_article(status=Article.Status.DRAFT, live=False)
    url = reverse("admin:articles_article_workflow", args=[other.pk, "submit"])
    assert client.post(url).status_code == 404
    assert snapshot(other)["status"] == Article.Status.DRAFT


def test_a_reporter_writes_a_new_story_and_submits_it_at_once(client, reporter):
    data = reporter_form_data(Article(title="Tin nóng")) | {"_nr_submit": "Gửi duyệt"}
    assert client.post(ADD_ARTICLE, data).status_code == 302
    article = Article.objects.get()
    assert (article.status, article.created_by, article.publish_at) == (Article.Status.REVIEW, reporter, None)
    assert [(e.kind, e.actor) for e in article.events.all()] == [("submit", reporter)]
    # Submitted, it is still theirs to correct, but no longer to submit.
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.context["has_change_permission"] is True
    assertNotContains(response, 'name="_nr_submit"')
